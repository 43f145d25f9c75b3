// Package hook tells the user's other tools what Lull does: when focus
// starts or ends, a digest is delivered, a notification breaks through, the
// plan changes or a meeting starts or ends, Lull runs the user's hooks.
//
// A hook is either a local program (run without a shell, with arguments
// fixed when it was added, the event as JSON on stdin and its main fields
// as LULL_* environment variables) or a webhook (a JSON POST over HTTPS,
// or plain HTTP to this computer only; its address is a secret kept in the
// OS keyring). Each hook has a bounded queue and a worker of its own, so a
// slow, failing or hanging hook never delays focus, holding or a digest,
// and never stops Lull. The last result of every hook is stored, for
// Settings and `lull hooks list`.
//
// Payloads carry no notification or meeting titles unless the hook was
// added with titles on: a hook sees what a digest notification shows (how
// many from which source), not what the notifications say.
package hook

package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/hook"
	"github.com/lullapp/lull/internal/api"
)

// Kinds of hook in the add form's select.
const (
	hookKindProgram = "Run a program"
	hookKindWebhook = "Post to a webhook"
)

// hooksSection is the Settings tab's "Hooks": each hook's event, what it
// runs (a program, or a webhook's scheme and host), its last result in
// words, with Test and Remove; and a small form to add one.
type hooksSection struct {
	ui  *UI
	win fyne.Window

	list *fyne.Container
	// rows are the hooks' lines by ID: what and last result.
	rows map[string]*widget.Label
	// testButtons and removeButtons are the rows' buttons by hook ID.
	testButtons, removeButtons map[string]*widget.Button

	// The add form: the event, the kind, the program and its arguments
	// (separated by spaces), or the webhook's address (hidden as a
	// password is: it is a secret), and whether titles are sent.
	event   *widget.Select
	kind    *widget.Select
	program *widget.Entry
	args    *widget.Entry
	webhook *widget.Entry
	titles  *widget.Check
	add     *widget.Button
	// status says how the last add or test went, or what is wrong.
	status *widget.Label

	loader  *loader[hooksData]
	content fyne.CanvasObject
}

// hooksData is one read of the hooks.
type hooksData struct {
	hooks []hook.Hook
	err   error
}

func newHooksSection(u *UI, win fyne.Window) *hooksSection {
	s := &hooksSection{
		ui: u, win: win,
		list:          container.NewVBox(),
		rows:          map[string]*widget.Label{},
		testButtons:   map[string]*widget.Button{},
		removeButtons: map[string]*widget.Button{},
		event:         widget.NewSelect(hook.Events(), nil),
		program:       widget.NewEntry(),
		args:          widget.NewEntry(),
		webhook:       widget.NewPasswordEntry(),
		titles:        widget.NewCheck("Send notification and meeting titles too", nil),
		status:        widget.NewLabel(""),
	}
	s.status.Wrapping = fyne.TextWrapWord
	s.event.SetSelected(hook.FocusStarted)
	s.program.SetPlaceHolder("/usr/bin/playerctl")
	s.args.SetPlaceHolder("pause")
	s.webhook.SetPlaceHolder("https://hooks.example.com/…")
	s.kind = widget.NewSelect([]string{hookKindProgram, hookKindWebhook}, func(string) { s.showKind() })
	s.kind.SetSelected(hookKindProgram)
	s.add = widget.NewButtonWithIcon("Add hook", theme.ContentAddIcon(), s.addHook)
	form := widget.NewForm(
		widget.NewFormItem("On", s.event),
		widget.NewFormItem("Kind", s.kind),
		widget.NewFormItem("Program", s.program),
		widget.NewFormItem("Arguments", s.args),
		widget.NewFormItem("Webhook address", s.webhook),
	)
	intro := widget.NewLabel("Lull runs these when things happen: see docs/hooks for the events and examples.")
	intro.Wrapping = fyne.TextWrapWord
	s.content = container.NewVBox(intro, s.list, form, s.titles, container.NewHBox(s.add), s.status)
	s.loader = newLoader(u.bridge, s.read, s.show)
	s.showKind()
	return s
}

// showKind enables the fields of the kind chosen.
func (s *hooksSection) showKind() {
	if s.program == nil {
		return
	}
	prog := s.kind.Selected == hookKindProgram
	for _, e := range []*widget.Entry{s.program, s.args} {
		if prog {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	if prog {
		s.webhook.Disable()
	} else {
		s.webhook.Enable()
	}
}

// refresh reads the hooks again.
func (s *hooksSection) refresh() { s.loader.request() }

func (s *hooksSection) read() hooksData {
	ctx, cancel := s.ui.call()
	defer cancel()
	list, err := s.ui.api.Hooks(ctx)
	return hooksData{hooks: list.Hooks, err: err}
}

// show rebuilds the list.
func (s *hooksSection) show(d hooksData) {
	s.list.RemoveAll()
	clear(s.rows)
	clear(s.testButtons)
	clear(s.removeButtons)
	if d.err != nil {
		l := widget.NewLabel("Could not read the hooks: " + userError(d.err).Error())
		l.Wrapping = fyne.TextWrapWord
		s.list.Add(l)
		return
	}
	if len(d.hooks) == 0 {
		s.list.Add(widget.NewLabel("No hooks yet."))
		return
	}
	for _, h := range d.hooks {
		id := h.ID
		row := widget.NewLabel(hookRowText(h, time.Local))
		row.Wrapping = fyne.TextWrapWord
		test := widget.NewButtonWithIcon("Test", theme.MediaPlayIcon(), func() { s.test(id) })
		remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { s.remove(id) })
		s.rows[id], s.testButtons[id], s.removeButtons[id] = row, test, remove
		s.list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(test, remove), row))
	}
}

// hookRowText is a hook's line: event, what it runs, last result.
func hookRowText(h hook.Hook, loc *time.Location) string {
	what := hook.Describe(h)
	if h.Titles {
		what += " (with titles)"
	}
	return fmt.Sprintf("On %s: %s\nLast: %s", h.Event, what, h.LastWords(loc))
}

// addHook adds the hook the form describes.
func (s *hooksSection) addHook() {
	req := api.AddHook{Event: s.event.Selected, Titles: s.titles.Checked}
	if s.kind.Selected == hookKindWebhook {
		req.Webhook = strings.TrimSpace(s.webhook.Text)
		if req.Webhook == "" {
			s.status.SetText("Type the webhook's address, e.g. https://hooks.example.com/…")
			return
		}
	} else {
		req.Exec, req.Args = strings.TrimSpace(s.program.Text), strings.Fields(s.args.Text)
		if req.Exec == "" {
			s.status.SetText("Type the program's full path, e.g. /usr/bin/playerctl")
			return
		}
	}
	var added hook.Hook
	s.ui.bridge.run(func() error {
		ctx, cancel := s.ui.call()
		defer cancel()
		var err error
		added, err = s.ui.api.AddHook(ctx, req)
		return err
	}, func(err error) {
		if err != nil {
			s.status.SetText("Not added: " + userError(err).Error())
			return
		}
		s.webhook.SetText("") // the secret leaves the window once it is kept
		s.status.SetText(fmt.Sprintf("Added: on %s, %s.", added.Event, hook.Describe(added)))
		s.refresh()
	})
}

// test runs hook id now with a sample event and says how it went.
func (s *hooksSection) test(id string) {
	var res hook.Result
	s.status.SetText("Testing…")
	s.ui.bridge.run(func() error {
		ctx, cancel := s.ui.call()
		defer cancel()
		var err error
		res, err = s.ui.api.TestHook(ctx, id)
		return err
	}, func(err error) {
		if err != nil {
			s.status.SetText("Could not test it: " + userError(err).Error())
		} else {
			s.status.SetText("Test: " + res.Words(time.Local) + ".")
		}
		s.refresh()
	})
}

// remove removes hook id.
func (s *hooksSection) remove(id string) {
	s.ui.bridge.run(func() error {
		ctx, cancel := s.ui.call()
		defer cancel()
		_, err := s.ui.api.RemoveHook(ctx, id)
		return err
	}, func(err error) {
		if err != nil {
			s.status.SetText("Could not remove it: " + userError(err).Error())
		} else {
			s.status.SetText("Removed.")
		}
		s.refresh()
	})
}

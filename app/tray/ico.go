package tray

import "encoding/binary"

// icoFromPNG wraps a PNG in an ICO file of one image, which is what the
// Windows tray loads (Windows Vista and later read PNG-compressed icons).
// A PNG too short to be one is returned as it is.
func icoFromPNG(png []byte) []byte {
	const headerLen, entryLen = 6, 16
	if len(png) < 24 {
		return png
	}
	// The IHDR chunk holds the width and height (big-endian) at 16 and 20;
	// an ICO entry says 0 for 256 and more.
	side := func(v uint32) byte {
		if v >= 256 {
			return 0
		}
		return byte(v)
	}
	w, h := binary.BigEndian.Uint32(png[16:20]), binary.BigEndian.Uint32(png[20:24])
	out := make([]byte, headerLen+entryLen, headerLen+entryLen+len(png))
	binary.LittleEndian.PutUint16(out[2:], 1) // type: icon
	binary.LittleEndian.PutUint16(out[4:], 1) // one image
	e := out[headerLen:]
	e[0], e[1] = side(w), side(h)
	binary.LittleEndian.PutUint16(e[4:], 1)  // colour planes
	binary.LittleEndian.PutUint16(e[6:], 32) // bits per pixel
	binary.LittleEndian.PutUint32(e[8:], uint32(len(png)))
	binary.LittleEndian.PutUint32(e[12:], headerLen+entryLen)
	return append(out, png...)
}

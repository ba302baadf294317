package tui

import "github.com/regdesk/regdesk/store"

// requestWindow is a window of a filtered request list kept around the
// cursor and fetched by key, so a list of a million rows costs what a list
// of a hundred does; only the visible rows are drawn.
type requestWindow struct {
	rows         []store.Request // a window of the filtered list, in list order
	sel, top     int             // selected row and first visible row, in rows
	startReached bool            // no rows before rows[0]
	endReached   bool            // no rows after the last
	loaded       bool
	viewH        int // visible rows
}

func (w *requestWindow) listHeight() int { return max(w.viewH, 1) }

func (w *requestWindow) setHeight(h int) {
	w.viewH = max(h, 1)
	w.clampTop()
}

func (w *requestWindow) current() (store.Request, bool) {
	if w.sel >= 0 && w.sel < len(w.rows) {
		return w.rows[w.sel], true
	}
	return store.Request{}, false
}

// reset empties the window before a different list is fetched.
func (w *requestWindow) reset() {
	w.rows, w.sel, w.top, w.loaded = nil, 0, 0, false
	w.startReached, w.endReached = false, false
}

// install puts a fetched window in place, keeping the selected row (by id)
// and its place on screen when it is still there; else the cursor goes to
// the anchor row.
func (w *requestWindow) install(rows []store.Request, anchor int, startReached, endReached bool) {
	offset := w.sel - w.top
	prevID := int64(-1)
	if cur, ok := w.current(); ok && w.loaded {
		prevID = cur.ID
	}
	sel := anchor
	if anchor < 0 || prevID >= 0 {
		for i, row := range rows {
			if row.ID == prevID {
				sel = i
				break
			}
		}
	}
	w.rows, w.startReached, w.endReached, w.loaded = rows, startReached, endReached, true
	w.sel = max(min(sel, len(w.rows)-1), 0)
	w.top = w.sel - max(min(offset, w.viewH-1), 0)
	w.clampTop()
}

func (w *requestWindow) clampTop() {
	h := w.listHeight()
	if w.sel < w.top {
		w.top = w.sel
	}
	if w.sel >= w.top+h {
		w.top = w.sel - h + 1
	}
	w.top = max(min(w.top, len(w.rows)-h), 0)
}

// step moves the cursor by d within the window. moved says the selection
// changed; refill that the cursor is within two screens of an edge that is
// not the end of the list, so a new window should be fetched around it.
func (w *requestWindow) step(d int) (moved, refill bool) {
	if len(w.rows) == 0 {
		return false, false
	}
	old := w.sel
	w.sel = max(min(w.sel+d, len(w.rows)-1), 0)
	w.clampTop()
	h := w.listHeight()
	refill = (!w.endReached && len(w.rows)-1-w.sel < 2*h) || (!w.startReached && w.sel < 2*h)
	return w.sel != old, refill
}

// visible is the range of rows on screen.
func (w *requestWindow) visible() (from, to int) {
	return w.top, min(w.top+w.listHeight(), len(w.rows))
}

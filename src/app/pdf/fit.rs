//! Column widths of a report's table from its content (see the module above).

use super::{CELL_PAD, TABLE_MIN_SIZE, TABLE_SIZE, encode, measure};

/// A table's font size and column widths (points).
pub(super) struct Fit {
    pub size: f64,
    pub cols: Vec<f64>,
}

/// Column widths from the content, in `avail` points. Each column's narrowest is its widest word
/// (header in bold), its widest is its longest line unbroken. If all the longest lines fit, each
/// column gets its longest and the rest of the width in proportion; otherwise each gets its widest
/// word and the rest goes where it makes the table shortest (`shorten`). When the widest words do
/// not fit side by side at `TABLE_SIZE`, the font shrinks until they do; only below
/// `TABLE_MIN_SIZE` are words cut.
pub(super) fn fit(headers: &[String], rows: &[Vec<String>], avail: f64) -> Fit {
    let n = rows.iter().map(Vec::len).chain([headers.len()]).max().unwrap_or(0);
    // Widths at a font size of 1 point.
    let (mut word, mut line) = (vec![0.0_f64; n], vec![0.0_f64; n]);
    let cells = std::iter::once((headers, true)).chain(rows.iter().map(|r| (r.as_slice(), false)));
    for (row, bold) in cells {
        for (c, text) in row.iter().enumerate() {
            for para in text.split('\n') {
                line[c] = line[c].max(measure(&encode(para), 1.0, bold));
                for w in para.split(' ') {
                    word[c] = word[c].max(measure(&encode(w), 1.0, bold));
                }
            }
        }
    }
    let pads = 2.0 * CELL_PAD * n as f64;
    let words: f64 = word.iter().sum();
    let size = if words > 0.0 { ((avail - pads) / words).clamp(TABLE_MIN_SIZE, TABLE_SIZE) } else { TABLE_SIZE };
    let at = |v: &[f64]| -> Vec<f64> { v.iter().map(|w| w * size + 2.0 * CELL_PAD).collect() };
    let (min, max) = (at(&word), at(&line));
    let (smin, smax): (f64, f64) = (min.iter().sum(), max.iter().sum());
    let cols = if n == 0 {
        vec![]
    } else if smax <= avail {
        max.iter().map(|w| w + (avail - smax) * w / smax).collect()
    } else if smin <= avail {
        shorten(headers, rows, size, min, &max, avail)
    } else {
        min.iter().map(|w| w * avail / smin).collect()
    };
    Fit { size, cols }
}

/// Rows the widths are tuned on (a longer table is judged by its first rows).
const TUNE_ROWS: usize = 300;

/// A cell's words as widths in points at the table's size, paragraph by paragraph, to count its
/// lines at any width without encoding it again.
struct Measured {
    paras: Vec<Vec<f64>>,
    space: f64,
}

impl Measured {
    fn new(text: &str, size: f64, bold: bool) -> Self {
        let paras = text.split('\n').map(|p| p.split(' ').map(|w| measure(&encode(w), size, bold)).collect()).collect();
        Self { paras, space: measure(b" ", size, bold) }
    }

    /// The lines `wrap` breaks the text into at `width` (words fit whole: the widths are at
    /// least each column's widest word).
    fn lines(&self, width: f64) -> usize {
        let width = width + 0.01;
        let mut n = 0;
        for words in &self.paras {
            let mut line: Option<f64> = None;
            n += 1;
            for &w in words {
                line = match line {
                    Some(l) if l + self.space + w <= width => Some(l + self.space + w),
                    Some(_) => {
                        n += 1;
                        Some(w)
                    }
                    None => Some(w),
                };
            }
        }
        n
    }
}

/// A row's tallest cells: the most lines and how many cells have them, then the same for the
/// next most (to know the row's height when one cell gets shorter).
#[derive(Clone, Copy, Default)]
struct Tall {
    top: usize,
    at_top: usize,
    next: usize,
    at_next: usize,
}

impl Tall {
    fn of(cells: impl Iterator<Item = usize>) -> Self {
        let mut t = Self::default();
        for l in cells {
            if l > t.top {
                (t.next, t.at_next, t.top, t.at_top) = (t.top, t.at_top, l, 1);
            } else if l == t.top {
                t.at_top += 1;
            } else if l > t.next {
                (t.next, t.at_next) = (l, 1);
            } else if l == t.next {
                t.at_next += 1;
            }
        }
        t
    }

    /// The row's cost: its height, then (so that two tall cells side by side can be shortened
    /// one after the other) how many of its `n` cells are that tall.
    fn cost(top: usize, at: usize, n: usize) -> usize {
        top * (n + 1) + at
    }

    /// The cost now, and if one cell of `was` lines had `then` (fewer or as many).
    fn costs(&self, was: usize, then: usize, n: usize) -> (usize, usize) {
        let now = Self::cost(self.top, self.at_top, n);
        if then >= was || was < self.top {
            return (now, now);
        }
        if self.at_top > 1 {
            return (now, now - 1);
        }
        let after = match then.cmp(&self.next) {
            std::cmp::Ordering::Greater => Self::cost(then, 1, n),
            std::cmp::Ordering::Equal => Self::cost(then, self.at_next + 1, n),
            std::cmp::Ordering::Less => Self::cost(self.next, self.at_next, n),
        };
        (now, after)
    }
}

/// Widths between each column's widest word (`cols`) and its longest line (`max`) that make the
/// table short: the width left goes, a step at a time, to the column where it saves the most
/// lines per point (a row is as tall as its tallest cell); what no column can turn into fewer
/// lines is shared in proportion to what each still wants.
fn shorten(
    headers: &[String],
    rows: &[Vec<String>],
    size: f64,
    mut cols: Vec<f64>,
    max: &[f64],
    avail: f64,
) -> Vec<f64> {
    let n = cols.len();
    let sample: Vec<Vec<Measured>> = std::iter::once((headers, true))
        .chain(rows.iter().take(TUNE_ROWS).map(|r| (r.as_slice(), false)))
        .map(|(r, bold)| (0..n).map(|c| Measured::new(r.get(c).map_or("", String::as_str), size, bold)).collect())
        .collect();
    let count = |c: usize, w: f64| -> Vec<usize> { sample.iter().map(|r| r[c].lines(w - 2.0 * CELL_PAD)).collect() };
    let mut lines: Vec<Vec<usize>> = (0..n).map(|c| count(c, cols[c])).collect();
    let mut left = avail - cols.iter().sum::<f64>();
    loop {
        let tall: Vec<Tall> = (0..sample.len()).map(|r| Tall::of(lines.iter().map(|l| l[r]))).collect();
        // (cost saved per point, column, step, the column's lines then)
        let mut best: Option<(f64, usize, f64, Vec<usize>)> = None;
        for c in 0..n {
            for step in [3.0_f64, 9.0, 27.0, 81.0] {
                let step = step.min(left).min(max[c] - cols[c]);
                if step < 0.5 {
                    continue;
                }
                let col = count(c, cols[c] + step);
                let saved: usize = tall
                    .iter()
                    .zip(&lines[c])
                    .zip(&col)
                    .map(|((t, was), then)| {
                        let (now, after) = t.costs(*was, *then, n);
                        now - after
                    })
                    .sum();
                let rate = saved as f64 / step;
                if rate > 0.0 && best.as_ref().is_none_or(|b| rate > b.0) {
                    best = Some((rate, c, step, col));
                }
            }
        }
        let Some((_, c, step, col)) = best else { break };
        cols[c] += step;
        left -= step;
        lines[c] = col;
    }
    let want: Vec<f64> = max.iter().zip(&cols).map(|(m, w)| (m - w).max(0.0)).collect();
    let wanted: f64 = want.iter().sum();
    if left > 0.0 && wanted > 0.0 {
        let share = (left / wanted).min(1.0);
        for (w, x) in cols.iter_mut().zip(&want) {
            *w += x * share;
        }
    }
    cols
}

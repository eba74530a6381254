//! Text in the PDF's fonts: encoding (WinAnsi), measuring, wrapping, literals.

use super::*;

/// One character in WinAnsi (the encoding of the standard fonts); what it cannot show becomes
/// the nearest plain form.
pub(super) fn ansi(c: char) -> Vec<u8> {
    match c {
        ' '..='~' => vec![c as u8],
        '\u{a0}'..='\u{ff}' => vec![c as u32 as u8],
        '–' => vec![0x96],
        '—' => vec![0x97],
        '•' => vec![0x95],
        '‘' => vec![0x91],
        '’' => vec![0x92],
        '“' => vec![0x93],
        '”' => vec![0x94],
        '…' => vec![0x85],
        '›' => vec![0x9b],
        '‹' => vec![0x8b],
        '€' => vec![0x80],
        '→' => b"->".to_vec(),
        '≤' => b"<=".to_vec(),
        '≥' => b">=".to_vec(),
        '✔' => b"v".to_vec(),
        '\n' | '\t' => vec![b' '],
        _ => vec![b'?'],
    }
}

pub(super) fn width_of(b: u8) -> f64 {
    match b {
        32..=126 => f64::from(WIDTHS[(b - 32) as usize]),
        0x96 => 556.0,
        0x97 => 1000.0,
        0x85 => 1000.0,
        _ => 556.0,
    }
}

/// The width of a text at a font size, in points.
pub(super) fn measure(text: &[u8], size: f64, bold: bool) -> f64 {
    let w: f64 = text.iter().map(|b| width_of(*b)).sum::<f64>() * size / 1000.0;
    if bold { w * 1.06 } else { w }
}

/// A text in WinAnsi.
pub(super) fn encode(text: &str) -> Vec<u8> {
    text.chars().flat_map(ansi).collect()
}

/// Encode and break a text into lines that fit `width`, at spaces.
pub(super) fn wrap(text: &str, width: f64, size: f64, bold: bool) -> Vec<Vec<u8>> {
    // A word exactly as wide as its column fits (sums of widths are not exact in floating point).
    let width = width + 0.01;
    let mut lines = vec![];
    for para in text.split('\n') {
        let mut line: Vec<u8> = vec![];
        for word in para.split(' ') {
            let w = encode(word);
            let candidate = if line.is_empty() { w.clone() } else { [line.clone(), vec![b' '], w.clone()].concat() };
            if measure(&candidate, size, bold) <= width || line.is_empty() {
                // A single word longer than the column is cut where it must be (only when even the
                // smallest table font cannot keep it whole).
                if measure(&candidate, size, bold) > width && line.is_empty() {
                    let mut part = vec![];
                    for b in w {
                        if measure(&[part.clone(), vec![b]].concat(), size, bold) > width && !part.is_empty() {
                            lines.push(std::mem::take(&mut part));
                        }
                        part.push(b);
                    }
                    line = part;
                } else {
                    line = candidate;
                }
            } else {
                lines.push(std::mem::replace(&mut line, w));
            }
        }
        lines.push(line);
    }
    lines
}

/// A PDF string literal.
pub(super) fn lit(bytes: &[u8]) -> String {
    let mut s = String::from("(");
    for b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                s.push('\\');
                s.push(*b as char);
            }
            32..=126 => s.push(*b as char),
            _ => {
                let _ = write!(s, "\\{:03o}", b);
            }
        }
    }
    s.push(')');
    s
}

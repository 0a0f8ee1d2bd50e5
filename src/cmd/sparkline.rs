//! ASCII sparklines as Redis's `sparkline.c` draws them for LATENCY GRAPH: `rows` rows
//! of `_o#` steps filled below with `|`, then each sample's label written downwards,
//! `columns` samples per block.

const CHARSET_FILL: &[u8] = b"_o#";
const LABEL_MARGIN_TOP: usize = 1;

/// The picture of `samples` (value, label), with fill.
pub(crate) fn render(samples: &[(f64, String)], columns: usize, rows: usize) -> String {
    let mut out = String::new();
    let (min, max) = samples
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (v, _)| {
            (lo.min(*v), hi.max(*v))
        });
    let labels = samples.iter().any(|(_, l)| !l.is_empty());
    for (block, chunk) in samples.chunks(columns).enumerate() {
        if block != 0 {
            out.push('\n');
        }
        render_range(&mut out, chunk, min, max, labels, rows);
    }
    out
}

/// `sparklineRenderRange` with `SPARKLINE_FILL`.
fn render_range(
    out: &mut String,
    chunk: &[(f64, String)],
    min: f64,
    max: f64,
    labels: bool,
    rows: usize,
) {
    let charset_len = CHARSET_FILL.len() as i64;
    let relmax = if max - min == 0.0 { 1.0 } else { max - min };
    let steps = charset_len * rows as i64;
    let mut row = 0usize;
    loop {
        let mut more = false;
        let mut chars = vec![b' '; chunk.len()];
        for (j, (value, label)) in chunk.iter().enumerate() {
            let relval = value - min;
            // C's `(int) (relval*steps)/relmax`: the product is truncated first.
            let step =
                (((relval * steps as f64) as i64 as f64 / relmax) as i64).clamp(0, steps - 1);
            if row < rows {
                let charidx = step - (rows - row - 1) as i64 * charset_len;
                more = true;
                if (0..charset_len).contains(&charidx) {
                    chars[j] = CHARSET_FILL[charidx as usize];
                } else if charidx >= charset_len {
                    chars[j] = b'|';
                }
            } else {
                if labels && row - rows < LABEL_MARGIN_TOP {
                    more = true;
                    break;
                }
                let at = row - rows - LABEL_MARGIN_TOP;
                if let Some(&c) = label.as_bytes().get(at) {
                    more = true;
                    chars[j] = c;
                }
            }
        }
        if !more {
            break;
        }
        row += 1;
        out.push_str(&String::from_utf8_lossy(&chars));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_series_fills_upwards_and_labels_hang_below() {
        let samples: Vec<(f64, String)> = [(1.0, "3s"), (5.0, "2s"), (9.0, "1s")]
            .iter()
            .map(|(v, l)| (*v, l.to_string()))
            .collect();
        let picture = render(&samples, 80, 4);
        assert_eq!(picture, "  #\n _|\n ||\n_||\n   \n321\nsss\n");
    }
}

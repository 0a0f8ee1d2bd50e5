//! The interleaving table, in the style of lincheck's: one column per client, one row per
//! command in the order the server executed it, each cell `COMMAND args → reply`, and a
//! state column with the probed keys after the command. Rows of the operations the
//! verdict points at are marked `!` (and red on a terminal).

use super::capture::Capture;
use super::colour::Style;

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    let mut s = text.to_string();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    s
}

/// The table as text; `style` colours the marked rows.
pub fn render(capture: &Capture, style: Style) -> String {
    let admin = capture.rows.iter().any(|r| r.client.is_none());
    let mut headers: Vec<String> = (0..capture.clients)
        .map(|c| format!("client {c}"))
        .collect();
    if admin {
        headers.push("admin".into());
    }
    let columns = headers.len();
    let cells: Vec<(usize, String, bool, &str)> = capture
        .rows
        .iter()
        .map(|r| {
            let col = r.client.map_or(columns - 1, |c| c as usize);
            let text = if r.crash {
                "✗ CRASH (client dies)".to_string()
            } else {
                format!("{} → {}", r.command, r.reply)
            };
            let marked =
                r.op.is_some_and(|op| capture.verdict.violating.contains(&op));
            (col, text, marked, r.state.as_str())
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for (col, text, _, _) in &cells {
        widths[*col] = widths[*col].max(text.chars().count());
    }
    let num_width = cells.len().to_string().len().max(1);
    let mut out = String::new();
    let mut line = format!("  {} ", pad("#", num_width));
    for (h, w) in headers.iter().zip(&widths) {
        line.push_str(&format!("| {} ", pad(h, *w)));
    }
    line.push_str(&format!("| {}", capture.state_heading));
    out.push_str(&style.bold(line.trim_end()));
    out.push('\n');
    let rule: usize = line.chars().count().max(20);
    out.push_str(&"-".repeat(rule));
    out.push('\n');
    for (i, (col, text, marked, state)) in cells.iter().enumerate() {
        let mut line = format!(
            "{} {} ",
            if *marked { '!' } else { ' ' },
            pad(&(i + 1).to_string(), num_width)
        );
        for (c, w) in widths.iter().enumerate() {
            let cell = if c == *col { text.as_str() } else { "" };
            line.push_str(&format!("| {} ", pad(cell, *w)));
        }
        line.push_str(&format!("| {state}"));
        let line = line.trim_end().to_string();
        out.push_str(&if *marked { style.red(&line) } else { line });
        out.push('\n');
    }
    out
}

//! Coverage growth over a sweep (see [`crate::coverage`]): a small SVG plot of the
//! distinct features reached after each run, one line per sweep, and the page
//! `redsim sweep --swarm --html` writes around it.

use super::html::{escape, page_start};
use std::fmt::Write;

const COLOURS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

/// The plot: `series` are (name, features after each run); x is runs, y features.
pub fn growth_svg(series: &[(&str, &[usize])]) -> String {
    let (w, h, left, top, right, bottom) = (560.0, 260.0, 56.0, 24.0, 150.0, 40.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let runs = series
        .iter()
        .map(|(_, s)| s.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let most = series
        .iter()
        .flat_map(|(_, s)| s.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let x = |i: usize| left + pw * i as f64 / runs as f64;
    let y = |v: usize| top + ph - ph * v as f64 / most as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"11\" role=\"img\" \
         aria-label=\"coverage growth\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n"
    );
    let _ = writeln!(
        svg,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444\"/>\
         <line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#444\"/>",
        top + ph,
        left + pw,
        top + ph,
        top + ph
    );
    for (value, label) in [(0, "0".to_string()), (most, most.to_string())] {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>",
            left - 4.0,
            y(value) + 4.0
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"{}\">0</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{runs} runs</text>\
         <text x=\"12\" y=\"{}\" transform=\"rotate(-90 12 {})\" text-anchor=\"middle\">features</text>",
        top + ph + 16.0,
        left + pw,
        top + ph + 16.0,
        top + ph / 2.0,
        top + ph / 2.0
    );
    for (i, (name, values)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        // One point per pixel or so is enough for a line of thousands of runs.
        let step = (values.len() / 600).max(1);
        let mut points = format!("{},{}", x(0), y(0));
        for (run, &v) in values.iter().enumerate() {
            if run % step == 0 || run + 1 == values.len() {
                let _ = write!(points, " {:.1},{:.1}", x(run + 1), y(v));
            }
        }
        let _ = writeln!(
            svg,
            "<polyline points=\"{points}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>"
        );
        let ly = top + 14.0 * i as f64 + 6.0;
        let last = values.last().copied().unwrap_or(0);
        let _ = writeln!(
            svg,
            "<line x1=\"{}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>\
             <text x=\"{}\" y=\"{}\">{} ({last})</text>",
            left + pw + 10.0,
            left + pw + 26.0,
            left + pw + 30.0,
            ly + 4.0,
            escape(name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A sweep's page: its summary as printed, and the coverage growth plot.
pub fn sweep_page(title: &str, summary: &str, series: &[(&str, &[usize])]) -> String {
    let mut page = page_start(title);
    let _ = writeln!(
        page,
        "<h1>{}</h1><pre>{}</pre><h2>Coverage growth</h2>\
         <p>Distinct features (command × reply kind × error code × the fault event before it, \
         and fault events) reached after each run.</p>{}</body></html>",
        escape(title),
        escape(summary),
        growth_svg(series)
    );
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_has_a_line_and_a_legend_per_series() {
        let a = [1, 3, 3, 5];
        let b = [2, 2, 4, 6];
        let svg = growth_svg(&[("unguided", &a), ("guided", &b)]);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("guided (6)") && svg.contains("unguided (5)"));
        assert!(svg.contains(">4 runs<"));
        let page = sweep_page("t <1>", "summary & more", &[("x", &a)]);
        assert!(page.contains("t &lt;1&gt;") && page.contains("summary &amp; more"));
    }
}

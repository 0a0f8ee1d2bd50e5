//! The step-through of one run in the HTML report: previous / next buttons and a slider
//! that move through the run one command at a time. For each step the page holds, written
//! here from the captured run (the simulator's state after that very step, read from the
//! store by [`super::capture`]), the client the scheduler picked and what it ran, the probed
//! keys with their values, and the last reply each client got. The page's script only
//! shows one step and hides the others, and marks the step's row in the table and its
//! tick in the picture: it computes nothing.

use super::capture::Capture;
use super::explain::Intrusion;
use super::html::escape;
use std::fmt::Write;

/// The script of every step-through on the page (inline: the report opens from file://
/// with no network). Written without `<` so that the page's markup stays plain to parse.
pub(crate) const SCRIPT: &str = r#"
document.querySelectorAll('.run-view').forEach(function (view) {
  var stepper = view.querySelector('.stepper');
  if (!stepper) return;
  var steps = stepper.querySelectorAll('.step');
  var slider = stepper.querySelector('input.slider');
  var pos = stepper.querySelector('.pos');
  var prev = stepper.querySelector('button.prev');
  var next = stepper.querySelector('button.next');
  var at = 0;
  function show(i) {
    at = Math.max(0, Math.min(steps.length - 1, i));
    steps.forEach(function (s, k) { s.hidden = k !== at; });
    slider.value = String(at);
    pos.textContent = 'step ' + (at + 1) + ' of ' + steps.length;
    stepper.setAttribute('data-at', String(at));
    prev.disabled = at === 0;
    next.disabled = at === steps.length - 1;
    view.querySelectorAll('[data-row]').forEach(function (e) {
      var row = Number(e.getAttribute('data-row'));
      e.classList.toggle('current', row === at);
      e.classList.toggle('future', row > at);
    });
  }
  prev.addEventListener('click', function () { show(at - 1); });
  next.addEventListener('click', function () { show(at + 1); });
  slider.addEventListener('input', function () { show(Number(slider.value)); });
  show(0);
});
"#;

/// What the step's row says in one sentence.
fn what_ran(capture: &Capture, i: usize, intrusion: Option<&Intrusion>) -> String {
    let r = &capture.rows[i];
    let (command, reply) = (escape(&r.command), escape(&r.reply));
    // Crashes and the admin connection's commands are faults the scenario injects; only
    // the clients' commands are the scheduler's picks.
    let mut s = match r.client {
        Some(c) if r.crash => {
            format!("<b>Client {c}</b> crashed here (a fault the scenario injects): its connection is gone.")
        }
        Some(c) => format!(
            "The scheduler picked <b>client {c}</b>; the server ran <code>{command}</code> and replied <code>{reply}</code>."
        ),
        None => format!(
            "<b>The admin connection</b> (a fault the scenario injects) ran <code>{command}</code>; the server replied <code>{reply}</code>."
        ),
    };
    if let Some(f) = intrusion {
        let split = &capture.rows[f.split[0]];
        let last = &capture.rows[f.split[f.split.len() - 1]];
        let owner = split.client.unwrap_or(0);
        if f.inside.contains(&i) {
            let _ = write!(
                s,
                " <span class=\"intruder-note\">This is the command that ran in between client {owner}'s {} and its {}.</span>",
                escape(&split.command),
                escape(&last.command)
            );
        } else if f.split.first() == Some(&i) {
            let _ = write!(
                s,
                " <span class=\"split-note\">Client {owner}'s sequence starts here; it is not atomic.</span>"
            );
        } else if f.split.last() == Some(&i) {
            let _ = write!(
                s,
                " <span class=\"split-note\">Client {owner}'s sequence ends here, after another client's command ran in between.</span>"
            );
        }
    }
    s
}

/// The step-through for `capture`.
pub(crate) fn stepper(capture: &Capture, intrusion: Option<&Intrusion>) -> String {
    let n = capture.rows.len();
    if n == 0 {
        return String::new();
    }
    let mut s = format!(
        "<div class=\"stepper\" data-steps=\"{n}\"><div class=\"controls\">\
         <button type=\"button\" class=\"prev\">◀ previous</button>\
         <input type=\"range\" class=\"slider\" min=\"0\" max=\"{}\" value=\"0\" aria-label=\"step\">\
         <button type=\"button\" class=\"next\">next ▶</button> <span class=\"pos\">step 1 of {n}</span></div>",
        n - 1
    );
    // The last command of each client so far, and its reply.
    let mut last: Vec<Option<usize>> = vec![None; capture.clients];
    for i in 0..n {
        let r = &capture.rows[i];
        if let Some(c) = r.client {
            if let Some(slot) = last.get_mut(c as usize) {
                *slot = Some(i);
            }
        }
        let _ = write!(
            s,
            "<div class=\"step\" data-step=\"{i}\"{}><p>{}. {}</p><div class=\"panes\">",
            if i == 0 { "" } else { " hidden" },
            i + 1,
            what_ran(capture, i, intrusion)
        );
        if !r.values.is_empty() {
            s.push_str("<table class=\"keys\"><thead><tr><th>key</th><th>value after this step</th></tr></thead><tbody>");
            for (key, value) in capture.probe.keys.iter().zip(&r.values) {
                let value = match value {
                    super::analysis::KeyState::ZCard(n) => format!("sorted set, {n} members"),
                    super::analysis::KeyState::Missing => "(no such key)".into(),
                    other => other.render(),
                };
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    escape(&String::from_utf8_lossy(key)),
                    escape(&value)
                );
            }
            s.push_str("</tbody></table>");
        }
        s.push_str("<table class=\"replies\"><thead><tr><th>client</th><th>last command</th><th>reply it got</th></tr></thead><tbody>");
        for (c, at) in last.iter().enumerate() {
            let (command, reply) = match at.map(|k| &capture.rows[k]) {
                Some(r) if r.crash => ("✗ crashed".to_string(), String::new()),
                Some(r) => (r.command.clone(), r.reply.clone()),
                None => ("(nothing yet)".to_string(), String::new()),
            };
            let _ = write!(
                s,
                "<tr{}><td>client {c}</td><td>{}</td><td>{}</td></tr>",
                if r.client == Some(c as u32) {
                    " class=\"picked\""
                } else {
                    ""
                },
                escape(&command),
                escape(&reply)
            );
        }
        s.push_str("</tbody></table></div></div>");
    }
    s.push_str("</div>");
    s
}

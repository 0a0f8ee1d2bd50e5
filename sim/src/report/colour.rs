//! Colour for terminals: on when stdout is a terminal and `NO_COLOR` is unset (or empty)
//! and `TERM` is not `dumb`; plain text when piped, so files and snapshots hold no escapes.

use std::io::IsTerminal;

/// Terminal colours, or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Whether to colour.
    pub enabled: bool,
}

impl Style {
    /// Plain text.
    pub const PLAIN: Style = Style { enabled: false };

    /// Colour if stdout is a terminal that wants it.
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        Style {
            enabled: !no_color && !dumb && std::io::stdout().is_terminal(),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// `text` in red.
    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }
    /// `text` in green.
    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }
    /// `text` in yellow.
    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }
    /// `text` in bold.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    /// `text` dimmed.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_style_adds_no_escapes() {
        assert_eq!(Style::PLAIN.red("x"), "x");
        assert_eq!(Style { enabled: true }.red("x"), "\x1b[31mx\x1b[0m");
    }
}

//! Per-operation argument templates: `{ts}` a timestamp unique to the operation, `{client}`
//! the client's index, `{op}` the operation's index within the client, `{seq}` a number
//! unique to the operation across clients. Anything else is literal.

/// Where an operation sits in the scenario, for expanding templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OpSlot {
    pub client: u32,
    pub clients: u32,
    pub op: u32,
}

/// The seed example's epoch (2023-03-15 13:20:00 UTC) in seconds; `{ts}` counts from it.
pub(crate) const TS_BASE: u64 = 1_678_886_400;

impl OpSlot {
    /// Client `client` of `clients`, at its first operation.
    pub(crate) fn first(client: u32, clients: u32) -> OpSlot {
        OpSlot {
            client,
            clients,
            op: 0,
        }
    }

    /// A number unique to this operation: ops are numbered round-robin across clients.
    pub fn seq(&self) -> u64 {
        self.op as u64 * self.clients.max(1) as u64 + self.client as u64
    }

    /// Whether `template` differs from one operation to the next.
    pub(crate) fn depends_on_op(template: &[u8]) -> bool {
        let text = String::from_utf8_lossy(template);
        ["{ts}", "{op}", "{seq}"].iter().any(|p| text.contains(p))
    }

    pub fn expand(&self, template: &[u8]) -> Vec<u8> {
        if !template.contains(&b'{') {
            return template.to_vec();
        }
        if std::str::from_utf8(template).is_ok() {
            return self.expand_text(template);
        }
        let text = String::from_utf8_lossy(template);
        text.replace("{ts}", &(TS_BASE + self.seq()).to_string())
            .replace("{client}", &self.client.to_string())
            .replace("{op}", &self.op.to_string())
            .replace("{seq}", &self.seq().to_string())
            .into_bytes()
    }

    /// [`OpSlot::expand`] of valid UTF-8 in one pass, without the four `str::replace`
    /// copies (a sweep expands every template of every operation). The same text: a
    /// placeholder's digits hold no `{`, so no replacement makes or breaks another match.
    fn expand_text(&self, template: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(at) = rest.iter().position(|&b| b == b'{') {
            out.extend_from_slice(&rest[..at]);
            rest = &rest[at..];
            let value = if rest.starts_with(b"{ts}") {
                Some((4, TS_BASE + self.seq()))
            } else if rest.starts_with(b"{client}") {
                Some((8, self.client as u64))
            } else if rest.starts_with(b"{op}") {
                Some((4, self.op as u64))
            } else if rest.starts_with(b"{seq}") {
                Some((5, self.seq()))
            } else {
                None
            };
            match value {
                Some((len, n)) => {
                    let _ = write!(out, "{n}");
                    rest = &rest[len..];
                }
                None => {
                    out.push(b'{');
                    rest = &rest[1..];
                }
            }
        }
        out.extend_from_slice(rest);
        out
    }

    pub(crate) fn expand_all(&self, templates: &[Vec<u8>]) -> Vec<Vec<u8>> {
        templates.iter().map(|t| self.expand(t)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_unique_per_operation() {
        let a = OpSlot {
            client: 0,
            clients: 2,
            op: 1,
        };
        let b = OpSlot {
            client: 1,
            clients: 2,
            op: 0,
        };
        assert_ne!(a.expand(b"{ts}"), b.expand(b"{ts}"));
        assert_eq!(b.expand(b"k:{client}:{op}"), b"k:1:0");
    }

    #[test]
    fn one_pass_expansion_is_the_four_replaces() {
        let slot = OpSlot {
            client: 3,
            clients: 5,
            op: 7,
        };
        let replaced = |t: &str| {
            t.replace("{ts}", &(TS_BASE + slot.seq()).to_string())
                .replace("{client}", &slot.client.to_string())
                .replace("{op}", &slot.op.to_string())
                .replace("{seq}", &slot.seq().to_string())
        };
        for t in [
            "{ts}",
            "a{client}b{op}c{seq}",
            "{{ts}}",
            "{c{ts}lient}",
            "{",
            "x{",
            "{op",
            "{seq}{seq}",
            "é{ts}ü",
            "{client}{ts}{op}{}",
        ] {
            assert_eq!(slot.expand(t.as_bytes()), replaced(t).into_bytes(), "{t}");
        }
    }
}

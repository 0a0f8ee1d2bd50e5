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
        let text = String::from_utf8_lossy(template);
        text.replace("{ts}", &(TS_BASE + self.seq()).to_string())
            .replace("{client}", &self.client.to_string())
            .replace("{op}", &self.op.to_string())
            .replace("{seq}", &self.seq().to_string())
            .into_bytes()
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
}

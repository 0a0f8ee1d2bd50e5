//! The open tables of a decoder (cjson, cmsgpack), kept without recursion.
//!
//! The C decoders recurse and keep open tables on the Lua stack, which allows nesting up to
//! Lua's C-stack limit (about 8000 levels). Here the decoders are iterative, and every Rust
//! handle to a Lua value takes a slot of mlua's auxiliary stack, which is also bounded; so the
//! first [`HELD`] levels keep their handles in Rust and deeper levels live in one Lua table.

use mlua::{Lua, Table, Value};

/// Levels whose table and pending key stay in Rust handles.
const HELD: usize = 200;

struct Level {
    table: Table,
    key: Option<Value>,
}

pub(crate) struct TableStack {
    held: Vec<Level>,
    /// Levels past `HELD`: table at `2*i+1`, pending key at `2*i+2` (i counts from 0).
    spill: Option<Table>,
    spilled: usize,
}

impl TableStack {
    pub fn new() -> Self {
        TableStack {
            held: Vec::new(),
            spill: None,
            spilled: 0,
        }
    }

    pub fn push(&mut self, lua: &Lua, table: Table) -> mlua::Result<()> {
        if self.held.len() < HELD {
            self.held.push(Level { table, key: None });
            return Ok(());
        }
        let spill = match &self.spill {
            Some(s) => s.clone(),
            None => {
                let s = lua.create_table()?;
                self.spill = Some(s.clone());
                s
            }
        };
        spill.raw_set(2 * self.spilled + 1, table)?;
        self.spilled += 1;
        Ok(())
    }

    /// The innermost open table.
    pub fn top(&self) -> mlua::Result<Table> {
        if self.spilled > 0 {
            if let Some(s) = &self.spill {
                return s.raw_get(2 * (self.spilled - 1) + 1);
            }
        }
        match self.held.last() {
            Some(l) => Ok(l.table.clone()),
            None => Err(mlua::Error::runtime("no open table")),
        }
    }

    /// Remembers the key whose value is being decoded in the innermost table.
    pub fn set_key(&mut self, key: Value) -> mlua::Result<()> {
        if self.spilled > 0 {
            if let Some(s) = &self.spill {
                return s.raw_set(2 * (self.spilled - 1) + 2, key);
            }
        }
        if let Some(l) = self.held.last_mut() {
            l.key = Some(key);
        }
        Ok(())
    }

    pub fn take_key(&mut self) -> mlua::Result<Value> {
        if self.spilled > 0 {
            if let Some(s) = &self.spill {
                let idx = 2 * (self.spilled - 1) + 2;
                let k: Value = s.raw_get(idx)?;
                s.raw_set(idx, Value::Nil)?;
                return Ok(k);
            }
        }
        Ok(self
            .held
            .last_mut()
            .and_then(|l| l.key.take())
            .unwrap_or(Value::Nil))
    }

    /// Closes the innermost table and returns it.
    pub fn pop(&mut self) -> mlua::Result<Table> {
        if self.spilled > 0 {
            if let Some(s) = &self.spill {
                let idx = 2 * (self.spilled - 1) + 1;
                let t: Table = s.raw_get(idx)?;
                s.raw_set(idx, Value::Nil)?;
                s.raw_set(idx + 1, Value::Nil)?;
                self.spilled -= 1;
                return Ok(t);
            }
        }
        match self.held.pop() {
            Some(l) => Ok(l.table),
            None => Err(mlua::Error::runtime("no open table")),
        }
    }
}

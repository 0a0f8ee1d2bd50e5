//! The libraries Redis bundles for scripts: cjson, cmsgpack, bit, struct. Owned by the
//! lua-libs work; each library has an `install(lua)` that sets its global table.

use mlua::Lua;

/// Installs every bundled library as a global of `lua` (before the sandbox closes).
pub fn install_all(_lua: &Lua) -> mlua::Result<()> {
    Ok(())
}

//! The small grammar the `lua_scripts` fuzz target builds scripts from: statements,
//! expressions, tables and library calls (redis.call/pcall with odd arguments, cjson,
//! cmsgpack, struct, bit), nested up to a bound. Included by `engine.rs`.

use arbitrary::Unstructured;

/// Statements per generated Lua script, and how deep expressions and blocks nest.
const MAX_STATEMENTS: usize = 12;
const MAX_DEPTH: u32 = 5;

/// String literals scripts use (as Lua source, quoted where needed).
const LUA_STRINGS: &[&str] = &[
    "'k'",
    "'k2'",
    "''",
    "'x'",
    "'OK'",
    "'ERR boom'",
    "'-ERR minus'",
    "'a\\r\\nb'",
    "'\\0bin\\255'",
    "'1'",
    "'-1'",
    "'1.5'",
    "'nan'",
    "'inf'",
    "'9223372036854775807'",
    "'{\"a\":[1,2,{\"b\":null}]}'",
    "'[1,2,3]'",
    "'[[[[[]]]]]'",
    "'{}'",
    "'\\147\\1\\2\\3'",
    "'\\129\\161a\\1'",
    "'\\220\\0\\3\\1\\2\\3'",
    "'>i4'",
    "'<d'",
    "'BBB'",
    "'s'",
    "'c0'",
    "'%d %s %q'",
    "'%5.2f'",
    "'set'",
    "'get'",
    "'incr'",
    "'hset'",
    "'lpush'",
    "'zadd'",
    "'sadd'",
    "'del'",
    "'ping'",
    "'echo'",
    "'hgetall'",
    "'zrange'",
    "'lrange'",
    "'smembers'",
    "'type'",
    "'exists'",
    "'eval'",
    "'nosuch'",
    "'WITHSCORES'",
    "'0'",
    "KEYS[1]",
    "ARGV[1]",
    "ARGV[2]",
];

const LUA_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "0.5",
    "-0.5",
    "1e308",
    "-1e308",
    "1e-320",
    "2^53",
    "2^63",
    "-2^63",
    "2^64",
    "9007199254740993",
    "math.huge",
    "-math.huge",
    "(0/0)",
    "-0",
    "255",
    "65536",
    "4294967295",
    "0x7fffffff",
];

/// Builds Lua source from bytes, one production at a time.
struct LuaGen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
    out: String,
    locals: u32,
}

impl LuaGen<'_, '_> {
    fn pick(&mut self, n: u8) -> u8 {
        self.u.int_in_range(0..=n.saturating_sub(1)).unwrap_or(0)
    }

    fn choose(&mut self, items: &[&str]) {
        let item = self.u.choose(items).copied().unwrap_or("nil");
        self.out.push_str(item);
    }

    fn list(&mut self, depth: u32, max: u8) {
        let n = self.pick(max + 1);
        for i in 0..n {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(depth + 1);
        }
    }

    fn call(&mut self, name: &str, depth: u32, max: u8) {
        self.out.push_str(name);
        self.out.push('(');
        self.list(depth, max);
        self.out.push(')');
    }

    /// A command call: a name from the dictionary or any expression, then arguments.
    fn redis_call(&mut self, depth: u32) {
        let f = ["redis.call", "redis.pcall"][usize::from(self.pick(2))];
        self.out.push_str(f);
        self.out.push('(');
        if self.pick(5) == 0 {
            self.expr(depth + 1);
        } else {
            self.choose(LUA_STRINGS);
        }
        let n = self.pick(5);
        for _ in 0..n {
            self.out.push_str(", ");
            self.expr(depth + 1);
        }
        self.out.push(')');
    }

    fn expr(&mut self, depth: u32) {
        if depth >= MAX_DEPTH {
            return match self.pick(3) {
                0 => self.choose(LUA_NUMBERS),
                1 => self.choose(LUA_STRINGS),
                _ => self.choose(&["nil", "true", "false", "{}"]),
            };
        }
        match self.pick(32) {
            0..=2 => self.choose(LUA_NUMBERS),
            3..=5 => self.choose(LUA_STRINGS),
            6 => self.choose(&["nil", "true", "false", "KEYS", "ARGV", "redis", "_G"]),
            7 if self.locals > 0 => {
                let v = self.u.int_in_range(0..=self.locals - 1).unwrap_or(0);
                self.out.push_str(&format!("v{v}"));
            }
            7..=9 => {
                self.out.push('{');
                self.list(depth, 4);
                self.out.push('}');
            }
            10 => {
                // Tables Redis converts specially, with any value in the field.
                self.out.push('{');
                self.choose(&[
                    "ok=",
                    "err=",
                    "double=",
                    "big_number=",
                    "map=",
                    "set=",
                    "1, ok=",
                    "n=",
                ]);
                self.expr(depth + 1);
                self.out.push('}');
            }
            11 => {
                self.out.push_str("{[");
                self.expr(depth + 1);
                self.out.push_str("] = ");
                self.expr(depth + 1);
                self.out.push('}');
            }
            12..=14 => self.redis_call(depth),
            15 => self.call("cjson.encode", depth, 1),
            16 => self.call("cjson.decode", depth, 1),
            17 => self.call("cmsgpack.pack", depth, 3),
            18 => self.call("cmsgpack.unpack", depth, 1),
            19 => {
                let f = ["struct.pack", "struct.unpack", "struct.size"][usize::from(self.pick(3))];
                self.call(f, depth, 3);
            }
            20 => {
                let f = [
                    "bit.band",
                    "bit.bor",
                    "bit.bxor",
                    "bit.bnot",
                    "bit.lshift",
                    "bit.rshift",
                    "bit.arshift",
                    "bit.rol",
                    "bit.ror",
                    "bit.bswap",
                    "bit.tohex",
                    "bit.tobit",
                ][usize::from(self.pick(12))];
                self.call(f, depth, 3);
            }
            21 => {
                let f = [
                    "redis.status_reply",
                    "redis.error_reply",
                    "redis.sha1hex",
                    "tostring",
                    "tonumber",
                    "type",
                    "redis.setresp",
                    "select",
                    "pcall",
                    "unpack",
                ][usize::from(self.pick(10))];
                self.call(f, depth, 2);
            }
            22 => {
                self.out.push_str("string.rep(");
                self.expr(depth + 1);
                self.out.push_str(", ");
                self.choose(&["0", "1", "3", "100", "1e5", "1e9", "-1"]);
                self.out.push(')');
            }
            23 => {
                self.out.push_str("string.format(");
                self.choose(LUA_STRINGS);
                self.out.push_str(", ");
                self.list(depth, 3);
                self.out.push(')');
            }
            24 => {
                self.out.push('(');
                self.expr(depth + 1);
                self.choose(&[
                    " .. ", " + ", " - ", " * ", " / ", " % ", " == ", " < ", " and ", " or ",
                ]);
                self.expr(depth + 1);
                self.out.push(')');
            }
            25 => {
                self.choose(&["#", "-", "not "]);
                self.expr(depth + 1);
            }
            26 => {
                self.out.push_str("(function() ");
                self.block(depth + 1);
                self.out.push_str(" end)()");
            }
            27 => {
                self.out.push_str("select(2, pcall(function() ");
                self.block(depth + 1);
                self.out.push_str(" end))");
            }
            28 => {
                self.out.push('(');
                self.expr(depth + 1);
                self.out.push_str(")[");
                self.expr(depth + 1);
                self.out.push(']');
            }
            29 => {
                self.out
                    .push_str("setmetatable({}, {__index = function() return ");
                self.expr(depth + 1);
                self.out.push_str(" end})");
            }
            30 => self.call("math.floor", depth, 1),
            _ => self.call("string.sub", depth, 3),
        }
    }

    fn statement(&mut self, depth: u32) {
        match self.pick(10) {
            0..=2 => {
                self.out.push_str(&format!("local v{} = ", self.locals));
                self.expr(depth);
                self.locals += 1;
            }
            3..=4 => self.redis_call(depth),
            5 if depth < MAX_DEPTH => {
                self.out.push_str("if ");
                self.expr(depth + 1);
                self.out.push_str(" then ");
                self.block(depth + 1);
                self.out.push_str(" end");
            }
            6 if depth < MAX_DEPTH => {
                // Loops are bounded by construction; the kill limit stops the rest.
                self.out.push_str("for i = 1, ");
                self.choose(&["0", "1", "3", "10"]);
                self.out.push_str(" do ");
                self.block(depth + 1);
                self.out.push_str(" end");
            }
            7 => {
                self.out.push_str("pcall(");
                self.expr(depth);
                self.out.push(')');
            }
            _ => {
                self.out.push_str("local ok_");
                self.out.push_str(&self.locals.to_string());
                self.out.push_str(" = pcall(function() return ");
                self.expr(depth);
                self.out.push_str(" end)");
            }
        }
        self.out.push('\n');
    }

    fn block(&mut self, depth: u32) {
        let saved = self.locals;
        let n = self.pick(4);
        for _ in 0..n {
            self.statement(depth);
        }
        self.out.push_str("return ");
        self.expr(depth);
        self.locals = saved;
    }
}

/// The Lua source of one script generated from `u`.
pub fn lua_script(u: &mut Unstructured) -> String {
    let mut gen = LuaGen {
        u,
        out: String::new(),
        locals: 0,
    };
    let n = gen.pick(MAX_STATEMENTS as u8);
    for _ in 0..n {
        gen.statement(0);
    }
    gen.out.push_str("return ");
    gen.expr(0);
    gen.out.push('\n');
    gen.out
}

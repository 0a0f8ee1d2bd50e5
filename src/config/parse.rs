//! CONFIG SET's reading of a value, per kind of parameter, with Redis 7.0's error texts
//! (`config.c`: `boolConfigSet`, `enumConfigSet`, `numericParseString`,
//! `numericBoundaryCheck` and the special parameters' setters). What comes back is the
//! text CONFIG GET will print: `yes`/`no` in lower case, memory amounts in bytes.

use super::{Kind, Param, Unit};

pub(super) fn value(param: &Param, text: &[u8]) -> Result<String, String> {
    let value = read(param, text)?;
    // redsim never writes RDB or AOF files: turning persistence on is refused as Redis
    // refuses an immutable parameter, rather than answered OK with nothing persisted.
    let persists = match param.name {
        "save" => !value.is_empty(),
        "appendonly" => value == "yes",
        _ => false,
    };
    if persists {
        return Err("can't set immutable config".into());
    }
    Ok(value)
}

fn read(param: &Param, text: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(text);
    match param.kind {
        Kind::Bool => match text.to_ascii_lowercase().as_str() {
            value @ ("yes" | "no") => Ok(value.to_string()),
            _ => Err("argument must be 'yes' or 'no'".into()),
        },
        Kind::Text => Ok(text.into_owned()),
        Kind::Enum { names, multi } => enumeration(names, multi, &text),
        Kind::Int {
            min,
            max,
            unit,
            unsigned,
        } => integer(&text, min, max, unit, unsigned),
        Kind::Special => special(param.name, &text),
    }
}

fn enumeration(names: &[&str], multi: bool, text: &str) -> Result<String, String> {
    // A multi-valued enum (shutdown-on-sigterm) takes several space-separated flags.
    let words: Vec<&str> = if multi {
        text.split(' ').collect()
    } else {
        vec![text]
    };
    let mut out = Vec::new();
    for word in &words {
        match names.iter().find(|n| n.eq_ignore_ascii_case(word)) {
            Some(name) => out.push(*name),
            None => {
                return Err(format!(
                    "argument(s) must be one of the following: {}",
                    names.join(", ")
                ))
            }
        }
    }
    if out.contains(&"save") && out.contains(&"nosave") {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
    }
    Ok(out.join(" "))
}

fn integer(text: &str, min: i128, max: i128, unit: Unit, unsigned: bool) -> Result<String, String> {
    let parsed: Option<i128> = match unit {
        Unit::Plain => crate::cmd::args::parse_i64(text.as_bytes()).map(i128::from),
        Unit::Memory => parse_memory(text.as_bytes()).map(i128::from),
        Unit::MemoryOrPercent => parse_memory(text.as_bytes()).map(i128::from).or_else(|| {
            // `N%` is kept as -N, as Redis stores it.
            let digits = text.strip_suffix('%').filter(|d| !d.is_empty())?;
            let n = crate::cmd::args::parse_i64(digits.as_bytes())?;
            (n >= 0).then_some(-i128::from(n))
        }),
        Unit::Octal => i64::from_str_radix(text, 8).ok().map(i128::from),
    };
    let Some(v) = parsed else {
        return Err(match unit {
            Unit::Plain => "argument couldn't be parsed into an integer",
            Unit::Memory => "argument must be a memory value",
            Unit::MemoryOrPercent => "argument must be a memory or percent value",
            Unit::Octal => "argument couldn't be parsed as an octal number",
        }
        .into());
    };
    if unsigned {
        // Redis compares the value as an unsigned long long: a negative one wraps to a
        // huge number and is out of range.
        if v < min || v > max {
            return Err(match unit {
                Unit::Octal => format!("argument must be between {min:o} and {max:o} inclusive"),
                _ => format!("argument must be between {min} and {max} inclusive"),
            });
        }
    } else if unit == Unit::MemoryOrPercent && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -min
            ));
        }
    } else if v < min || v > max {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(match unit {
        Unit::Octal => format!("{v:o}"),
        Unit::MemoryOrPercent if v < 0 => format!("{}%", -v),
        _ => v.to_string(),
    })
}

/// The parameters with a syntax of their own; redsim checks what Redis checks before it
/// stores the value.
fn special(name: &str, text: &str) -> Result<String, String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    match name {
        "save" => {
            // Pairs of <seconds ≥ 1> <changes ≥ 0>; "" turns saving off.
            let ok = words.len().is_multiple_of(2)
                && words.iter().enumerate().all(|(i, w)| {
                    w.parse::<i64>()
                        .is_ok_and(|v| if i.is_multiple_of(2) { v >= 1 } else { v >= 0 })
                });
            if !ok {
                return Err("Invalid save parameters".into());
            }
            Ok(words.join(" "))
        }
        "notify-keyspace-events" => {
            if text.chars().all(|c| "Ag$lshzxeKEtmdn".contains(c)) {
                Ok(text.to_string())
            } else {
                Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
            }
        }
        "oom-score-adj-values" => {
            let values: Vec<i64> = words.iter().filter_map(|w| w.parse().ok()).collect();
            if words.len() != 3 || values.len() != 3 {
                return Err("wrong number of arguments".into());
            }
            if values.iter().any(|v| !(-2000..=2000).contains(v)) {
                return Err(
                    "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
                );
            }
            Ok(words.join(" "))
        }
        "latency-tracking-info-percentiles" => {
            let mut out = Vec::new();
            for word in &words {
                let Ok(p) = word.parse::<f64>() else {
                    return Err("Invalid latency-tracking-info-percentiles parameters".into());
                };
                if !(0.0..=100.0).contains(&p) {
                    return Err(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                            .into(),
                    );
                }
                out.push(format!("{p}"));
            }
            Ok(out.join(" "))
        }
        // bind, client-output-buffer-limit: stored as given.
        _ => Ok(text.to_string()),
    }
}

/// Redis's `memtoull`: digits with an optional unit (b, k, kb, m, mb, g, gb; k = 1000,
/// kb = 1024), case-insensitive; no sign.
pub(crate) fn parse_memory(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?.to_ascii_lowercase();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let multiplier: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.is_empty() {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(multiplier)
}

//! CronJob schedules and time zones, checked as the CronJob controller (robfig/cron's standard
//! parser) reads them, so a schedule Kubernetes would reject is a diagnostic instead.
//!
//! Accepted: five space-separated fields — minute (0–59), hour (0–23), day of month (1–31),
//! month (1–12 or `jan`–`dec`), day of week (0–6 or `sun`–`sat`; names in any case) — each a
//! comma-separated list of `*` or `?`, a value, a range `a-b`, each optionally stepped `/n`
//! (`a/n` means `a` to the field's maximum); or one of the macros `@yearly`, `@annually`,
//! `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. Refused although the controller
//! takes them: `@every <duration>` (its runs depend on when the controller started) and a
//! `TZ=`/`CRON_TZ=` prefix (Kubernetes rejects it; the CronJob's `timeZone` says it).

/// One field of a schedule: its name for messages, its bounds and its value names.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Names of the values from `min` on (`jan` is 1, `sun` is 0).
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    },
    Field {
        name: "day of week",
        min: 0,
        max: 6,
        names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    },
];

const MACROS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Checks a CronJob schedule; the error says what is wrong, for a diagnostic.
pub(crate) fn check_schedule(schedule: &str) -> Result<(), String> {
    let s = schedule.trim();
    if s.is_empty() {
        return Err("it is empty".to_owned());
    }
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        return Err(
            "it sets a time zone inside the schedule, which Kubernetes rejects; use `.time_zone(...)`"
                .to_owned(),
        );
    }
    if s.starts_with('@') {
        if MACROS.iter().any(|m| m.eq_ignore_ascii_case(s)) {
            return Ok(());
        }
        if s.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("@every")) {
            return Err(
                "`@every` runs relative to when the controller started, not at fixed times"
                    .to_owned(),
            );
        }
        return Err(format!(
            "`{s}` is not a known macro ({})",
            MACROS.join(", ")
        ));
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != FIELDS.len() {
        return Err(format!(
            "it has {} field{}, but a schedule has 5: minute, hour, day of month, month, day of week",
            fields.len(),
            if fields.len() == 1 { "" } else { "s" }
        ));
    }
    for (field, text) in FIELDS.iter().zip(fields) {
        check_field(field, text)?;
    }
    Ok(())
}

fn check_field(field: &Field, text: &str) -> Result<(), String> {
    let name = field.name;
    for item in text.split(',') {
        if item.is_empty() {
            return Err(format!("the {name} field `{text}` has an empty list item"));
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n > 0 => {}
                _ => {
                    return Err(format!(
                        "the step `/{step}` in the {name} field is not a positive number"
                    ));
                }
            }
        }
        if range == "*" || range == "?" {
            continue;
        }
        match range.split_once('-') {
            Some((lo, hi)) => {
                let (lo, hi) = (value(field, lo)?, value(field, hi)?);
                if lo > hi {
                    return Err(format!(
                        "the {name} range `{range}` runs backwards ({lo} is after {hi})"
                    ));
                }
            }
            None => {
                value(field, range)?;
            }
        }
    }
    Ok(())
}

/// A value of `field`: a number within its bounds or one of its names.
fn value(field: &Field, text: &str) -> Result<u32, String> {
    let (name, min, max) = (field.name, field.min, field.max);
    if let Ok(n) = text.parse::<u32>() {
        if n < min || n > max {
            let sunday = if name == "day of week" && n == 7 {
                " (Sunday is 0 or `sun`)"
            } else {
                ""
            };
            return Err(format!("{name} `{n}` is out of range {min}–{max}{sunday}"));
        }
        return Ok(n);
    }
    let named = field
        .names
        .iter()
        .zip(min..)
        .find(|(n, _)| n.eq_ignore_ascii_case(text));
    match named {
        Some((_, n)) => Ok(n),
        None if text.is_empty() => Err(format!("the {name} field has an empty value")),
        None => Err(format!("`{text}` is not a {name}")),
    }
}

/// Every name of the IANA time zone database (tzdata 2025b), zones and their links, one a line,
/// sorted: what the API server's `time.LoadLocation` accepts. Generated once from the system's
/// tzdata with
/// `awk '$1=="Z"{print $2} $1=="L"{print $3}' /usr/share/zoneinfo/tzdata.zi | sort -u`.
const TIME_ZONES: &str = include_str!("time_zones.txt");

/// Checks a time zone name against the IANA database ([`TIME_ZONES`]), as the API server does
/// (case-sensitive). `Local` is refused (Kubernetes does too: it would be the controller's
/// zone).
pub(crate) fn check_time_zone(tz: &str) -> Result<(), String> {
    if tz.eq_ignore_ascii_case("local") {
        return Err("`Local` is the controller's own zone, which Kubernetes refuses".to_owned());
    }
    if TIME_ZONES.lines().any(|z| z == tz) {
        return Ok(());
    }
    Err(match stacksmith_core::closest(tz, TIME_ZONES.lines()) {
        Some(near) => format!("it is not in the IANA time zone database; did you mean `{near}`?"),
        None => "it is not in the IANA time zone database".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_standard_schedules() {
        for s in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 0 1,15 * *",
            "30 2 * * mon-fri",
            "0 9-17/2 * jan-jun MON",
            "5/10 * ? * *",
            "0 0 * * 0,6",
            "0 0 31 dec sat",
            "@daily",
            "@HOURLY",
            "@annually",
            "  0 3 * * *  ",
        ] {
            assert_eq!(check_schedule(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn refuses_what_the_controller_would() {
        let cases = [
            ("61 * * * *", "minute `61` is out of range 0–59"),
            ("* * *", "it has 3 fields"),
            ("0 24 * * *", "hour `24` is out of range 0–23"),
            ("0 0 0 * *", "day of month `0` is out of range 1–31"),
            ("0 0 * 13 *", "month `13` is out of range 1–12"),
            ("0 0 * * 7", "(Sunday is 0 or `sun`)"),
            ("*/0 * * * *", "the step `/0`"),
            ("10-5 * * * *", "runs backwards"),
            ("0 0 * * mon-", "empty value"),
            ("0 0 * * funday", "`funday` is not a day of week"),
            ("0 0 * foo *", "`foo` is not a month"),
            ("1,,2 * * * *", "empty list item"),
            ("@every 1h", "`@every`"),
            ("@fortnightly", "not a known macro"),
            ("TZ=UTC 0 3 * * *", "time zone inside"),
            ("", "empty"),
        ];
        for (s, needle) in cases {
            let Err(e) = check_schedule(s) else {
                panic!("`{s}` was accepted");
            };
            assert!(e.contains(needle), "`{s}`: {e}");
        }
    }

    #[test]
    fn time_zones_are_looked_up_in_the_iana_database() {
        for tz in [
            "Etc/UTC",
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
            "America/Port-au-Prince",
        ] {
            assert_eq!(check_time_zone(tz), Ok(()), "{tz}");
        }
        for tz in [
            "Local",
            "",
            "+02:00",
            "Europe/",
            "Europe Berlin",
            "/UTC",
            "Mars/Olympus",
        ] {
            assert!(check_time_zone(tz).is_err(), "{tz}");
        }
        assert!(check_time_zone("europe/berlin").is_err_and(|e| e.contains("`Europe/Berlin`")));
        assert!(TIME_ZONES.lines().is_sorted());
    }
}

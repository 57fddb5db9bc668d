//! Logs as hclog JSON lines on stderr (`@level`, `@message`, `@module`, `@timestamp`, fields), so
//! Terraform re-logs them at their own level under `TF_LOG`. The level comes from
//! `TF_LOG_PROVIDER_PROD`, `TF_LOG_PROVIDER` or `TF_LOG`; unset, only errors are written.
//! Secrets are never passed to a log macro anywhere in the provider.

use std::io::Write;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

const MODULE: &str = "provider.terraform-provider-prod";
const TIMESTAMP: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

/// The most verbose level to write, from Terraform's log settings.
pub fn level_from_env(get: impl Fn(&str) -> Option<String>) -> Option<Level> {
    let raw = ["TF_LOG_PROVIDER_PROD", "TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|k| get(k).filter(|v| !v.is_empty()));
    match raw.map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Some(Level::ERROR),
        Some("off") => None,
        Some("trace" | "json") => Some(Level::TRACE),
        Some("debug") => Some(Level::DEBUG),
        Some("info") => Some(Level::INFO),
        Some("warn") => Some(Level::WARN),
        Some("error") => Some(Level::ERROR),
        Some(_) => Some(Level::TRACE),
    }
}

struct HclogLayer {
    max: Level,
}

#[derive(Default)]
struct Fields {
    message: String,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.extra.insert(field.name().to_string(), value.into());
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.extra.insert(field.name().to_string(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.extra.insert(field.name().to_string(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.extra.insert(field.name().to_string(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let s = format!("{value:?}");
        if field.name() == "message" {
            self.message = s;
        } else {
            self.extra.insert(field.name().to_string(), s.into());
        }
    }
}

/// One hclog JSON line for an event.
pub fn hclog_line(
    level: &Level,
    target: &str,
    message: &str,
    extra: serde_json::Map<String, serde_json::Value>,
) -> String {
    // go-plugin parses "@timestamp" with Go's layout 2006-01-02T15:04:05.000000Z07:00: exactly six
    // fractional digits, or it re-logs the whole line as plain text at DEBUG.
    let ts = time::OffsetDateTime::now_utc()
        .format(TIMESTAMP)
        .unwrap_or_default();
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.as_str().to_ascii_lowercase().into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), MODULE.into());
    obj.insert("@timestamp".into(), ts.into());
    obj.insert("target".into(), target.into());
    obj.extend(extra);
    serde_json::Value::Object(obj).to_string()
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for HclogLayer {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        *meta.level() <= self.max
            && (meta.target().starts_with("terraform_provider_prod")
                || *meta.level() <= Level::WARN)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut f = Fields::default();
        event.record(&mut f);
        let line = hclog_line(
            event.metadata().level(),
            event.metadata().target(),
            &f.message,
            f.extra,
        );
        let mut err = std::io::stderr().lock();
        let _ignored = writeln!(err, "{line}");
    }
}

pub fn init() {
    let Some(max) = level_from_env(|k| std::env::var(k).ok()) else {
        return;
    };
    let subscriber = tracing_subscriber::registry().with(HclogLayer { max });
    let _already_set = tracing::subscriber::set_global_default(subscriber);
}

/// For the benchmark: when `PROD_PROVIDER_STATS_FILE` is set, append this process's peak RSS and
/// CPU time (from /proc) as one JSON line.
pub fn write_process_stats() {
    let Ok(path) = std::env::var("PROD_PROVIDER_STATS_FILE") else {
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let hwm_kib = kib("VmHWM:");
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name: utime and stime are the 14th and 15th overall.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let nums: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    let ticks = nums.iter().sum::<u64>();
    let line = serde_json::json!({
        "pid": std::process::id(),
        "peak_rss_kib": hwm_kib,
        "rss_anon_kib": kib("RssAnon:"),
        "rss_file_kib": kib("RssFile:"),
        "cpu_ticks": ticks
    });
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ignored = writeln!(f, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_terraform_settings() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(level_from_env(env(&[])), Some(Level::ERROR));
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "DEBUG")])),
            Some(Level::DEBUG)
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "warn")])),
            Some(Level::WARN)
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG_PROVIDER_PROD", "off"), ("TF_LOG", "trace")])),
            None
        );
    }

    #[test]
    fn line_is_hclog_json() {
        let mut extra = serde_json::Map::new();
        extra.insert("component".into(), "sns topic".into());
        let line = hclog_line(
            &Level::DEBUG,
            "terraform_provider_prod::x",
            "AWS call",
            extra,
        );
        let j: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(j["@level"], "debug");
        assert_eq!(j["@message"], "AWS call");
        assert_eq!(j["component"], "sns topic");
        let ts = j["@timestamp"].as_str().unwrap();
        // 2026-11-24T22:49:14.969345Z: the shape go-plugin parses.
        assert_eq!(ts.len(), 27, "{ts}");
        assert_eq!(&ts[19..20], ".");
        assert!(ts.ends_with('Z'));
    }
}

//! Waiting for AWS: poll with exponential backoff and jitter, at most 30 s between polls, bounded by
//! a deadline (the resource's `timeouts`), and ended at once by StopProvider.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The longest pause between two polls (contract rule 15).
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(30);
pub const FIRST_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Exponential backoff with "equal jitter": each delay lies in [d/2, d], d doubling up to the cap.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    seed: u64,
}

impl Backoff {
    pub fn new(first: Duration, cap: Duration) -> Backoff {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(1);
        Backoff {
            base: first.min(cap),
            cap,
            seed: u64::from(nanos) | 1,
        }
    }

    /// The next pause.
    pub fn next_delay(&mut self) -> Duration {
        // xorshift64: jitter needs spread, not secrecy.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let full = self.base;
        let half = full / 2;
        let span = (full - half).as_millis() as u64;
        let jitter = if span == 0 { 0 } else { self.seed % (span + 1) };
        self.base = (self.base * 2).min(self.cap);
        half + Duration::from_millis(jitter)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError<E> {
    #[error("timed out after {} waiting for {what}", human(*after))]
    Timeout { what: String, after: Duration },
    #[error("stopped while waiting for {what}: Terraform asked the provider to stop")]
    Stopped { what: String },
    #[error(transparent)]
    Failed(E),
}

/// Polls until `poll` returns `Some`, logging what it waits for.
pub async fn wait_until<T, E, F, Fut>(
    what: &str,
    stop: &CancellationToken,
    timeout: Duration,
    mut backoff: Backoff,
    mut poll: F,
) -> Result<T, WaitError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, E>>,
{
    let started = Instant::now();
    let deadline = started + timeout;
    loop {
        let attempt = tokio::select! {
            biased;
            _ = stop.cancelled() => return Err(WaitError::Stopped { what: what.to_string() }),
            r = poll() => r.map_err(WaitError::Failed)?,
        };
        if let Some(done) = attempt {
            return Ok(done);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::Timeout {
                what: what.to_string(),
                after: now - started,
            });
        }
        let pause = backoff.next_delay().min(deadline - now);
        tracing::info!(what, pause_ms = pause.as_millis() as u64, "waiting");
        tokio::select! {
            biased;
            _ = stop.cancelled() => return Err(WaitError::Stopped { what: what.to_string() }),
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// The progress line a wait logs at INFO (`TF_LOG=info`) after each poll that finds it not done:
/// how many of `total` objects are ready and what each other one is doing, e.g.
/// `db instances: 1 of 3 available; shop-replica-1: creating, shop-replica-2: not listed yet`.
pub fn progress(
    what: &str,
    ready_word: &str,
    total: usize,
    pending: &[(String, String)],
) -> String {
    let ready = total.saturating_sub(pending.len());
    let each: Vec<String> = pending
        .iter()
        .map(|(id, state)| format!("{id}: {state}"))
        .collect();
    format!(
        "{what}: {ready} of {total} {ready_word}; {}",
        each.join(", ")
    )
}

/// Logs [`progress`] at INFO (nothing when nothing is pending).
pub fn log_progress(what: &str, ready_word: &str, total: usize, pending: &[(String, String)]) {
    if !pending.is_empty() {
        let line = progress(what, ready_word, total, pending);
        tracing::info!("{line}");
    }
}

/// Logs [`progress`] of a wait for the one object `id` to be deleted (`gone`) or available, whose
/// state is `state` (`None`: AWS does not list it).
pub fn log_one(what: &str, gone: bool, id: &str, state: Option<&str>) {
    let word = if gone { "deleted" } else { "available" };
    let state = state.unwrap_or("not listed yet").to_string();
    log_progress(what, word, 1, &[(id.to_string(), state)]);
}

/// A duration as `timeouts` values are written (`1h30m`, `45s`, `0s`).
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (sec, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        format!("{}ms", d.as_millis())
    } else {
        out
    }
}

/// Checks a `timeouts` block: each value must be a duration.
pub fn validate_timeouts(block: &crate::framework::Value, d: &mut crate::framework::Diagnostics) {
    for op in ["create", "update", "delete"] {
        if let crate::framework::decode::Tri::Known(s) =
            crate::framework::decode::string(block.get(op))
        {
            if parse_duration(&s).is_none() {
                d.error_at(
                    crate::framework::AttrPath::attr("timeouts").then_attr(op),
                    "Invalid duration",
                    format!("{s:?} is not a duration; write e.g. \"30m\", \"1h\" or \"1h30m\"."),
                );
            }
        }
    }
}

/// The limit for `op` from a `timeouts` block, or `default`.
pub fn timeout_for(block: &crate::framework::Value, op: &str, default: &str) -> Duration {
    crate::framework::decode::string(block.get(op))
        .into_known()
        .and_then(|s| parse_duration(&s))
        .or_else(|| parse_duration(default))
        .unwrap_or(Duration::from_secs(600))
}

/// Parses a Terraform-style duration: `90s`, `10m`, `1h30m`, `2h`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    if s.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        // A duration too long to count is not a duration (never a wrapped-around short one).
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if !digits.is_empty() {
        return None;
    }
    (total > 0).then(|| Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[test]
    fn durations_read_as_timeouts_are_written() {
        let cases = [
            ("an hour and a half", Duration::from_secs(5400), "1h30m"),
            ("forty minutes", Duration::from_secs(2400), "40m"),
            ("seconds", Duration::from_secs(45), "45s"),
            ("under a second", Duration::from_millis(200), "200ms"),
        ];
        for (name, d, want) in cases {
            assert_eq!(human(d), want, "{name}");
            if d.as_secs() > 0 {
                assert_eq!(parse_duration(want), Some(d), "{name}: reads back");
            }
        }
    }

    #[test]
    fn progress_says_what_is_pending() {
        let p = |id: &str, st: &str| (id.to_string(), st.to_string());
        let cases = [
            (
                "replicas still coming",
                ("db instances", "available", 3),
                vec![p("shop-replica-1", "creating"), p("shop-replica-2", "not listed yet")],
                "db instances: 1 of 3 available; shop-replica-1: creating, shop-replica-2: not listed yet",
            ),
            (
                "one group",
                ("replication group", "available", 1),
                vec![p("sessions", "modifying")],
                "replication group: 0 of 1 available; sessions: modifying",
            ),
            (
                "deletes",
                ("nat gateways", "deleted", 2),
                vec![p("nat-1", "deleting")],
                "nat gateways: 1 of 2 deleted; nat-1: deleting",
            ),
        ];
        for (name, (what, word, total), pending, want) in cases {
            assert_eq!(progress(what, word, total, &pending), want, "{name}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps_at_30s() {
        let mut b = Backoff::new(Duration::from_secs(2), MAX_POLL_INTERVAL);
        let delays: Vec<Duration> = (0..12).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_secs(1) && delays[0] <= Duration::from_secs(2));
        assert!(delays[2] >= Duration::from_secs(4) && delays[2] <= Duration::from_secs(8));
        assert!(delays.iter().all(|d| *d <= MAX_POLL_INTERVAL));
        assert!(delays[11] >= MAX_POLL_INTERVAL / 2);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        // The last two overflow a u64 of seconds: refused, never wrapped around to a short one.
        for bad in [
            "",
            "10",
            "m",
            "5d",
            "-1m",
            "0s",
            "1.5h",
            "5124095576030432h",
            "18446744073709551615s1s",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_until_ready_and_backs_off() {
        let polls = Arc::new(AtomicU32::new(0));
        let p = polls.clone();
        let start = Instant::now();
        let r: Result<&str, WaitError<()>> = wait_until(
            "thing",
            &CancellationToken::new(),
            Duration::from_secs(600),
            Backoff::new(FIRST_POLL_INTERVAL, MAX_POLL_INTERVAL),
            || {
                let p = p.clone();
                async move {
                    Ok(if p.fetch_add(1, Ordering::SeqCst) >= 5 {
                        Some("ready")
                    } else {
                        None
                    })
                }
            },
        )
        .await;
        assert_eq!(r.unwrap(), "ready");
        assert_eq!(polls.load(Ordering::SeqCst), 6);
        // 5 pauses of at least 1, 2, 4, 8, 15 s.
        assert!(
            start.elapsed() >= Duration::from_secs(30),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn honours_the_timeout() {
        let r: Result<(), WaitError<()>> = wait_until(
            "never",
            &CancellationToken::new(),
            Duration::from_secs(60),
            Backoff::new(FIRST_POLL_INTERVAL, MAX_POLL_INTERVAL),
            || async { Ok(None) },
        )
        .await;
        match r {
            Err(WaitError::Timeout { after, .. }) => {
                assert!(after >= Duration::from_secs(60) && after < Duration::from_secs(61))
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn stop_ends_a_wait_within_a_second() {
        let stop = CancellationToken::new();
        let s = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            s.cancel();
        });
        let t = std::time::Instant::now();
        let r: Result<(), WaitError<()>> = wait_until(
            "slow",
            &stop,
            Duration::from_secs(3600),
            Backoff::new(Duration::from_secs(30), MAX_POLL_INTERVAL),
            || async { Ok(None) },
        )
        .await;
        assert!(matches!(r, Err(WaitError::Stopped { .. })));
        assert!(t.elapsed() < Duration::from_secs(1));
    }
}

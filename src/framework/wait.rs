//! Waiting for AWS. A wait for AWS to finish something polls at pauses that grow with the time
//! waited (a twentieth of it, at least half a second, at most 30 s, jittered down to half): an
//! object is seen ready at most about 5 % after it became so, however long AWS takes (a 15-minute
//! create within 45 s, at some 150 polls; a 2-minute one within 6 s). A retry of a call AWS refused
//! for now backs off by doubling instead, from the caller's first pause. Both are bounded by a
//! deadline (the resource's `timeouts`) and ended at once by StopProvider.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The longest pause between two polls (contract rule 15).
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(30);
/// The shortest pause (before jitter) between two polls of a wait: it bounds how late a short wait
/// sees its object (the 5 % rule bounds a long one). It costs some twenty polls in a wait's first
/// ten seconds.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(500);
/// A pause is at most this fraction of the time waited so far (1/20: 5 %).
const SHARE_OF_WAITED: u32 = 20;

/// How the pauses grow.
#[derive(Debug, Clone)]
enum Growth {
    /// A twentieth of the time since `began`, at least the floor.
    WithTimeWaited { began: Instant },
    /// Doubling from the floor after each pause.
    Doubling { next: Duration },
}

/// Pauses with "equal jitter": each lies in [d/2, d], where d grows as `Growth` says, at least
/// `floor` and at most `cap`.
#[derive(Debug, Clone)]
pub struct Backoff {
    floor: Duration,
    cap: Duration,
    growth: Growth,
    seed: u64,
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(1);
    u64::from(nanos) | 1
}

impl Backoff {
    /// A wait's pauses: a twentieth of the time waited, at least `floor`, at most `cap`.
    pub fn new(floor: Duration, cap: Duration) -> Backoff {
        Backoff {
            floor: floor.min(cap),
            cap,
            growth: Growth::WithTimeWaited {
                began: Instant::now(),
            },
            seed: seed(),
        }
    }

    /// The pauses of a wait for AWS to finish something: from half a second up to 30 s.
    pub fn polling() -> Backoff {
        Backoff::new(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL)
    }

    /// The pauses of a retry of a call AWS refused for now (not visible yet, still in use):
    /// `first`, then doubling up to `cap`, so that a call that changes something is not repeated
    /// at a poll's pace.
    pub fn doubling(first: Duration, cap: Duration) -> Backoff {
        let first = first.min(cap);
        Backoff {
            floor: first,
            cap,
            growth: Growth::Doubling { next: first },
            seed: seed(),
        }
    }

    /// The next pause.
    pub fn next_delay(&mut self) -> Duration {
        // xorshift64: jitter needs spread, not secrecy.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let full = match &mut self.growth {
            Growth::WithTimeWaited { began } => {
                (began.elapsed() / SHARE_OF_WAITED).clamp(self.floor, self.cap)
            }
            Growth::Doubling { next } => {
                let d = *next;
                *next = (d * 2).min(self.cap);
                d
            }
        };
        let half = full / 2;
        let span = (full - half).as_millis() as u64;
        let jitter = if span == 0 { 0 } else { self.seed % (span + 1) };
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
    fn a_retry_doubles_with_jitter_and_caps() {
        let mut b = Backoff::doubling(Duration::from_secs(1), MAX_POLL_INTERVAL);
        let delays: Vec<Duration> = (0..10).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(500) && delays[0] <= Duration::from_secs(1));
        assert!(delays[2] >= Duration::from_secs(2) && delays[2] <= Duration::from_secs(4));
        assert!(delays.iter().all(|d| *d <= MAX_POLL_INTERVAL));
        assert!(delays[9] >= MAX_POLL_INTERVAL / 2);
    }

    /// A pause after `waited`, from a backoff of `floor`: within `[low, high]`.
    struct PauseCase {
        name: &'static str,
        floor: Duration,
        waited: Duration,
        low: Duration,
        high: Duration,
    }

    #[tokio::test(start_paused = true)]
    async fn pauses_grow_with_the_time_waited_between_floor_and_cap() {
        let s = Duration::from_secs;
        let cases = [
            PauseCase {
                name: "at the start: the floor",
                floor: MIN_POLL_INTERVAL,
                waited: s(0),
                low: Duration::from_millis(250),
                high: Duration::from_millis(500),
            },
            PauseCase {
                name: "after 100 s: a twentieth, 5 s",
                floor: MIN_POLL_INTERVAL,
                waited: s(100),
                low: Duration::from_millis(2500),
                high: s(5),
            },
            PauseCase {
                name: "after 15 minutes: capped at 30 s",
                floor: MIN_POLL_INTERVAL,
                waited: s(900),
                low: s(15),
                high: MAX_POLL_INTERVAL,
            },
            PauseCase {
                name: "a retry's floor of 5 s holds early",
                floor: s(5),
                waited: s(20),
                low: Duration::from_millis(2500),
                high: s(5),
            },
        ];
        for c in cases {
            let mut b = Backoff::new(c.floor, MAX_POLL_INTERVAL);
            tokio::time::advance(c.waited).await;
            for _ in 0..20 {
                let d = b.next_delay();
                assert!(d >= c.low && d <= c.high, "{}: {d:?}", c.name);
            }
        }
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
            Backoff::polling(),
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
        // 5 pauses of a quarter to half a second: what is ready is seen soon after.
        assert!(
            start.elapsed() >= Duration::from_millis(1250)
                && start.elapsed() <= Duration::from_millis(2500),
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
            Backoff::polling(),
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

//! Running the real `terraform` binary in a scratch working directory.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::env;

/// The longest one `terraform` command of a test may take (`PROD_TF_COMMAND_LIMIT_SECS`, default 10
/// minutes: the slowest apply of the suite takes about two).
pub fn command_limit() -> Duration {
    let secs = std::env::var("PROD_TF_COMMAND_LIMIT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(secs)
}

pub struct Tf {
    pub dir: tempfile::TempDir,
    /// Where terraform runs: the scratch directory, or an example's place in a copy of the
    /// repository's layout (see [`Tf::in_repo_layout`]).
    work: PathBuf,
    /// The access key id terraform's runs use: the fault layer scopes faults and records by it.
    access_key: String,
    /// More environment for every run (set last: wins over the defaults).
    env: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "terraform failed:\n{}\n{}",
            self.stdout, self.stderr
        );
        self
    }
    /// Does a line of the output mention `attr` together with `change` (e.g. `"3 -> 14"`)?
    pub fn shows(&self, attr: &str, change: &str) -> bool {
        self.stdout
            .lines()
            .any(|l| l.contains(attr) && l.contains(change))
    }
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl Tf {
    pub fn new(main_tf: &str) -> Tf {
        env::terraform_available();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
        let work = dir.path().to_path_buf();
        Tf {
            dir,
            work,
            access_key: "test".into(),
            env: Vec::new(),
        }
    }

    /// A working directory at `rel` (e.g. `examples/x`) of a scratch copy of the repository's
    /// layout whose `modules/*` are the repository's (linked): `../../modules/…` and `../data-tier`
    /// sources stay local module paths, as they are for users (an absolute path would be a module
    /// package that `../` may not leave).
    pub fn in_repo_layout(rel: &str, main_tf: &str) -> Tf {
        env::terraform_available();
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join(rel);
        std::fs::create_dir_all(dir.path().join("modules")).unwrap();
        for m in std::fs::read_dir(env::repo().join("modules")).unwrap() {
            let m = m.unwrap();
            let place = dir.path().join("modules").join(m.file_name());
            if place != work {
                std::os::unix::fs::symlink(m.path(), place).unwrap();
            }
        }
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("main.tf"), main_tf).unwrap();
        Tf {
            dir,
            work,
            access_key: "test".into(),
            env: Vec::new(),
        }
    }

    /// Runs speak to AWS as `key` (see `common::faults`).
    pub fn with_access_key(mut self, key: &str) -> Tf {
        self.access_key = key.to_string();
        self
    }

    /// Every run gets `key=value` in its environment (e.g. another `AWS_ENDPOINT_URL`).
    pub fn with_env(mut self, key: &str, value: &str) -> Tf {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn path(&self) -> &Path {
        &self.work
    }

    pub fn write(&self, main_tf: &str) {
        std::fs::write(self.work.join("main.tf"), main_tf).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        self.run_program(Path::new("terraform"), args, extra)
    }

    /// A script of the project (e.g. an example's helper) in this working directory, with the
    /// environment `terraform` runs with here.
    pub fn run_script(&self, script: &Path, args: &[&str]) -> Run {
        self.run_program(script, args, &[])
    }

    /// `terraform <args>` started in the background (output piped), e.g. to be interrupted.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(Path::new("terraform"), args, &[])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Runs `program` to its end within [`command_limit`] (see [`finish`]).
    fn run_program(&self, program: &Path, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let child = self
            .command(program, args, extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
        finish(child, &format!("{} {}", program.display(), args.join(" ")))
    }

    fn command(&self, program: &Path, args: &[&str], extra: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(&self.work)
            .env("TF_CLI_CONFIG_FILE", env::cli_config())
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("AWS_ENDPOINT_URL", env::endpoint())
            .env("AWS_ACCESS_KEY_ID", &self.access_key)
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("TF_LOG")
            .env_remove("TF_REATTACH_PROVIDERS");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn init(&self) -> Run {
        let r = self.run(&["init", "-no-color"]);
        r.ok();
        r
    }

    /// `terraform plan -detailed-exitcode`: 0 no changes, 2 changes.
    pub fn plan_code(&self, extra: &[&str]) -> Run {
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `terraform plan` whose output says `summary` (e.g. `1 to change, 0 to destroy`).
    pub fn plan_says(&self, summary: &str) -> Run {
        let p = self.plan_code(&[]);
        assert!(p.stdout.contains(summary), "{summary}: {}", p.all());
        p
    }

    /// Writes `main_tf` and asserts that `terraform plan` refuses it saying `why`.
    pub fn plan_refused(&self, main_tf: &str, why: &str) {
        self.write(main_tf);
        let r = self.run(&["plan", "-no-color"]);
        assert!(r.code != 0 && r.all().contains(why), "{why}: {}", r.all());
    }

    /// As `plan_refused`, and the diagnostic points at the configuration's line `at` (Terraform
    /// quotes the source line of the attribute the provider named, e.g. `rto = "15m"`).
    pub fn plan_refused_on(&self, main_tf: &str, at: &str, why: &str) {
        self.write(main_tf);
        let r = self.run(&["plan", "-no-color"]);
        let all = r.all();
        let quoted = all.lines().any(|l| {
            l.trim_start().split_once(':').is_some_and(|(n, src)| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && src.trim() == at
            })
        });
        assert!(
            r.code != 0 && all.contains(why) && quoted,
            "{why} on `{at}`: {all}"
        );
    }

    /// Drift made outside Terraform: the plan shows each `(attribute, change)` of `shows`, one apply
    /// repairs it, and the plan after it is empty.
    pub fn drift_repaired(&self, shows: &[(&str, &str)]) {
        let p = self.plan_code(&[]);
        assert_eq!(p.code, 2, "the drift shows: {}", p.all());
        for (attr, change) in shows {
            assert!(p.shows(attr, change), "{attr} {change}: {}", p.stdout);
        }
        self.apply(&[]);
        let after = self.plan_code(&[]);
        assert_eq!(after.code, 0, "plan after repair: {}", after.all());
    }

    pub fn apply(&self, extra: &[&str]) -> Run {
        let mut args = vec!["apply", "-auto-approve", "-no-color"];
        args.extend_from_slice(extra);
        let r = self.run(&args);
        r.ok();
        r
    }

    /// The first resource instance in state (attributes and status, e.g. `tainted`).
    pub fn first_instance(&self) -> serde_json::Value {
        self.state()["resources"][0]["instances"][0].clone()
    }

    /// The state file, parsed.
    pub fn state(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.state_file()).unwrap()).unwrap()
    }

    /// The first instance of the first resource of type `kind` (at any module level).
    pub fn instance_of(&self, kind: &str) -> serde_json::Value {
        let s = self.state();
        s["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == kind)
            .map(|r| r["instances"][0].clone())
            .unwrap_or_else(|| panic!("no {kind} in state: {s}"))
    }

    pub fn state_file(&self) -> PathBuf {
        self.work.join("terraform.tfstate")
    }
}

/// A test that fails half way still destroys what it made (best effort, within the command limit:
/// a failure here is reported, never a second panic), so one failure does not leave objects that
/// later tests or sweeps trip over.
impl Drop for Tf {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let holds_resources = std::fs::read_to_string(self.state_file())
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v["resources"].as_array().map(|r| !r.is_empty()))
            .unwrap_or(false);
        if !holds_resources {
            return;
        }
        let spawned = self
            .command(
                Path::new("terraform"),
                &["destroy", "-auto-approve", "-no-color"],
                &[],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        match spawned {
            Ok(child) => match wait_limited(child, "terraform destroy (after a failed test)") {
                Ok(r) if r.code == 0 => eprintln!("the failed test's objects were destroyed"),
                Ok(r) => eprintln!("destroy after the failed test failed:\n{}", r.all()),
                Err(e) => eprintln!("{e}"),
            },
            Err(e) => eprintln!("destroy after the failed test could not start: {e}"),
        }
    }
}

/// Waits for `child` (started with piped output) within [`command_limit`]; past it, the command
/// is killed and the test fails with what it printed, so a hung stop or wait cannot hang the suite.
pub fn finish(child: Child, what: &str) -> Run {
    wait_limited(child, what).unwrap_or_else(|e| panic!("{e}"))
}

/// [`finish`] without panicking: `Err` says what went wrong, with the command's output.
fn wait_limited(mut child: Child, what: &str) -> Result<Run, String> {
    fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let limit = command_limit();
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => return Err(format!("`{what}`: {e}")),
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    match status {
        Some(status) => Ok(Run {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }),
        None => Err(format!(
            "`{what}` did not finish within {limit:?} (PROD_TF_COMMAND_LIMIT_SECS); killed. Its output:\n{stdout}\n{stderr}"
        )),
    }
}

//! Progress of long stages: a bar on a terminal, plain log lines otherwise. The stages
//! report counts; only this module decides how they are shown.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    stage: &'static str,
    done: u64,
    total: Option<u64>,
    last_log: Instant,
}

impl Progress {
    /// `total` is the amount of work when known (rows, bytes); `unit` names it.
    pub fn start(stage: &'static str, total: Option<u64>, unit: &'static str) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(total) => ProgressBar::new(total).with_style(
                    ProgressStyle::with_template(&format!(
                        "{{prefix:>10}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{eta}})"
                    ))
                    .expect("valid template")
                    .progress_chars("=> "),
                ),
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template(&format!(
                        "{{prefix:>10}} {{spinner}} {{human_pos}} {unit} {{per_sec}}"
                    ))
                    .expect("valid template"),
                ),
            };
            bar.set_prefix(stage);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar, stage, done: 0, total, last_log: Instant::now() }
    }

    pub fn advance(&mut self, n: u64) {
        self.done += n;
        match &self.bar {
            Some(bar) => bar.inc(n),
            None if self.last_log.elapsed() >= Duration::from_secs(5) => {
                self.last_log = Instant::now();
                match self.total {
                    Some(total) => tracing::info!(stage = self.stage, done = self.done, total, "progress"),
                    None => tracing::info!(stage = self.stage, done = self.done, "progress"),
                }
            }
            None => {}
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

//! The one config file of SPEC §4: every threshold and weight a user may change, in TOML.
//!
//! Where it comes from, first found wins: `--config FILE` on the command line, then
//! `DIR/wenzheng.toml` in the data folder, then the built-in defaults. A file names only the
//! values it changes; an unknown key is an error (a misspelt threshold must not be ignored).
//! `wenzheng config` prints the defaults as a starting point.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::ingest::BadInput;

/// The file a data folder may carry to configure runs on it.
pub const FILE_IN_DATA_DIR: &str = "wenzheng.toml";

/// `--config FILE` and what it holds, set once by `main` before any command runs. Global
/// because the flag applies to every command of the process, and threading it through each
/// command's signature would only repeat it.
static EXPLICIT: OnceLock<(PathBuf, Config)> = OnceLock::new();

/// Reads `--config FILE` (every command does, so a missing or bad file stops even one that
/// takes nothing from it) and keeps it for [`Config::load`].
pub fn set_explicit(path: PathBuf) -> Result<()> {
    let config = Config::read(&path)?;
    let _ = EXPLICIT.set((path, config));
    Ok(())
}

/// The `--config` file of this process, if one was given.
pub fn explicit() -> Option<&'static Path> {
    EXPLICIT.get().map(|(path, _)| path.as_path())
}

/// What the `--config` file of this process holds, if one was given.
pub fn explicit_config() -> Option<&'static Config> {
    EXPLICIT.get().map(|(_, config)| config)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Deadlines in working days by post kind, office hours, acceptance (SPEC §4).
    pub deadlines: models::deadline::DeadlineRules,
    /// Holidays and make-up workdays beyond the built-in State Council schedule.
    pub calendar: models::calendar::CalendarOverrides,
    /// How posts are grouped into recurring issues and how hot an issue is.
    pub recurring: models::recurring::RecurringConfig,
    /// Annual evaluation: component weights, shrinkage toward the city rate, minimum posts to rank.
    pub annual: reports::annual::AnnualConfig,
    /// Dashboard tokens (stored as SHA-256 hashes) and their roles.
    pub access: reports::api::AccessConfig,
    /// The reply scorer's lexicon, when a supervision office has its own.
    pub scoring: ScoringConfig,
    /// The unit registry and the kind rules ingest derives with, when an office has its own.
    pub ingest: IngestConfig,
}

/// `[ingest]`: the data files ingest reads units and kinds by, instead of the built-in ones
/// (`wenzheng config --units` / `--kinds` print those to start from), relative to the config
/// file. They apply to the rows ingested from then on: ingest keeps what it derived, so a
/// folder ingested before is made again by ingesting its files into a new folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// A unit registry shaped like models/data/units.toml: names, aliases ("星沙城管"), levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<PathBuf>,
    /// Kind rules shaped like models/data/kinds.toml.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinds: Option<PathBuf>,
}

/// `[scoring]`: which lexicon judges the replies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringConfig {
    /// A lexicon file to use instead of the built-in one (`wenzheng config --lexicon` prints
    /// that to start from), relative to the config file. Every reply is judged again when the
    /// file changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lexicon: Option<PathBuf>,
}

/// The text of a file the user wrote for wenzheng — the config, or a data file it names (`what`
/// says which) — or the input error to report, naming the file: it does not read, or it is not
/// UTF-8 (an editor on Chinese Windows saves GBK unless told otherwise).
pub fn read_user_file(path: &Path, what: &str) -> Result<String, BadInput> {
    std::fs::read_to_string(path).map_err(|e| BadInput {
        file: path.display().to_string(),
        sheet: None,
        reason: if e.kind() == std::io::ErrorKind::InvalidData {
            format!("{what} is not UTF-8 text: save it as UTF-8 (an editor's \"UTF-8\" encoding, not GBK / ANSI)")
        } else {
            format!("cannot read {what}: {e}")
        },
    })
}

/// Settings that contradict each other or the platform's rules are refused, not applied: a
/// deadline of 0 days, a target beyond its limit, a day that is both a holiday and a workday
/// (which one wins would be an accident of the code).
fn check_deadlines(config: &Config) -> Result<(), String> {
    use models::deadline::DeadlineRules;
    let d = &config.deadlines;
    for (key, days) in [("complaint_days", d.complaint_days), ("acceptance_days", d.acceptance_days)] {
        if days == 0 {
            return Err(format!(
                "[deadlines] {key} = 0: give at least 1 working day (kinds answered the same day are listed in \
                 same_day_kinds)"
            ));
        }
    }
    if d.complaint_target_days > d.complaint_days {
        return Err(format!(
            "[deadlines] complaint_target_days = {} is beyond complaint_days = {}: the target is at most the limit \
             (set both; the defaults are {} and {})",
            d.complaint_target_days,
            d.complaint_days,
            DeadlineRules::default().complaint_target_days,
            DeadlineRules::default().complaint_days
        ));
    }
    if d.complex_max_days < d.complaint_days {
        return Err(format!(
            "[deadlines] complex_max_days = {} is shorter than complaint_days = {}: a complex case gets at least as \
             long as a complaint (the default is {})",
            d.complex_max_days,
            d.complaint_days,
            DeadlineRules::default().complex_max_days
        ));
    }
    let c = &config.calendar;
    if let Some(both) = c.holidays.iter().find(|day| c.workdays.contains(day)) {
        return Err(format!("[calendar] {both} is both in holidays and in workdays: keep it in one"));
    }
    Ok(())
}

impl Config {
    /// The config for runs on `data_dir`: `--config`, else `DIR/wenzheng.toml`, else defaults.
    pub fn load(data_dir: &Path) -> Result<Config> {
        if let Some(config) = explicit_config() {
            return Ok(config.clone());
        }
        let in_data_dir = data_dir.join(FILE_IN_DATA_DIR);
        if in_data_dir.is_file() {
            return Config::read(&in_data_dir);
        }
        Ok(Config::default())
    }

    /// Reads one config file; a missing file or a bad value is input the user must fix.
    pub fn read(path: &Path) -> Result<Config> {
        let text = read_user_file(path, "the config file")?;
        let mut config = Config::parse(&text).map_err(|reason| BadInput {
            file: path.display().to_string(),
            sheet: None,
            reason: format!("{reason}; `wenzheng config` prints every key with its default"),
        })?;
        // (a file the config names is where the config is, not where the command runs; made
        // absolute, so that `wenzheng config --config FILE` prints a path that works anywhere)
        if let Some(folder) = path.parent() {
            for file in [&mut config.scoring.lexicon, &mut config.ingest.units, &mut config.ingest.kinds] {
                if let Some(named) = file.as_mut() {
                    let beside = folder.join(&*named);
                    *named = std::path::absolute(&beside).unwrap_or(beside);
                }
            }
        }
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| format!("bad config: {}", e.to_string().trim_end()))?;
        config.annual.check()?;
        check_deadlines(&config)?;
        Ok(config)
    }

    /// The defaults as a TOML document, every key present.
    pub fn defaults_toml() -> String {
        Config::default().to_toml()
    }

    /// This config as a TOML document, every key present (an unset lexicon as a comment that
    /// says how to set one: TOML has no value for "none").
    pub fn to_toml(&self) -> String {
        let mut text = toml::to_string_pretty(self).expect("a config serialises");
        let unset = [
            (
                self.scoring.lexicon.is_none(),
                "[scoring]\n",
                "# lexicon = \"our-lexicon.toml\"   # a lexicon of one's own, beside this file: `wenzheng config \
                 --lexicon` prints the built-in one to start from\n",
            ),
            (
                self.ingest.kinds.is_none(),
                "[ingest]\n",
                "# kinds = \"our-kinds.toml\"   # kind rules of one's own (`wenzheng config --kinds`)\n",
            ),
            (
                self.ingest.units.is_none(),
                "[ingest]\n",
                "# units = \"our-units.toml\"   # a unit registry of one's own (`wenzheng config --units`)\n",
            ),
        ];
        for (is_unset, section, comment) in unset {
            if is_unset {
                if let Some(at) = text.find(section) {
                    text.insert_str(at + section.len(), comment);
                }
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_weight_or_prior_is_refused_not_taken_as_zero() {
        let error = Config::parse("[annual.weights]\nresponse = -1\n").unwrap_err();
        assert!(error.contains("[annual.weights] response = -1"), "{error}");
        let zeros = "[annual.weights]\nresponse = 0\ntimeliness = 0\nquality = 0\nresolution = 0\nsatisfaction = 0\n";
        let error = Config::parse(zeros).unwrap_err();
        assert!(error.contains("every weight is 0"), "{error}");
        assert!(Config::parse("[annual]\nprior_posts = -5\n").unwrap_err().contains("prior_posts"));
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn the_printed_defaults_read_back_as_the_defaults() {
        let text = Config::defaults_toml();
        assert!(text.contains("[deadlines]") && text.contains("[recurring]") && text.contains("[annual"), "{text}");
        assert_eq!(Config::parse(&text).unwrap(), Config::default());
    }

    #[test]
    fn a_file_changes_only_what_it_names() {
        let config = Config::parse(
            "[deadlines]\ncomplaint_days = 3\n[calendar]\nholidays = [2027-01-04]\n[recurring]\nwindow_days = 30.0\n",
        )
        .unwrap();
        assert_eq!(config.deadlines.complaint_days, 3);
        assert_eq!(config.deadlines.acceptance_days, models::deadline::DeadlineRules::default().acceptance_days);
        assert_eq!(config.calendar.holidays, vec![chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()]);
        assert_eq!(config.recurring.window_days, 30.0);
    }

    #[test]
    fn a_lexicon_is_found_beside_the_config_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wenzheng.toml");
        std::fs::write(&file, "[scoring]\nlexicon = \"ours.toml\"\n").unwrap();
        assert_eq!(Config::read(&file).unwrap().scoring.lexicon, Some(dir.path().join("ours.toml")));
        // a config named by a relative path names its lexicon by a path that works from anywhere
        let up: std::path::PathBuf = std::env::current_dir().unwrap().components().skip(1).map(|_| "..").collect();
        let relative = up.join(file.strip_prefix("/").unwrap());
        assert!(relative.is_relative());
        let lexicon = Config::read(&relative).unwrap().scoring.lexicon.unwrap();
        assert!(lexicon.is_absolute() && lexicon.ends_with("ours.toml"), "{}", lexicon.display());
        // (and the printed defaults name none, the built-in lexicon, but say how to name one)
        let defaults = Config::defaults_toml();
        assert!(defaults.contains("[scoring]\n# lexicon = \"our-lexicon.toml\""), "{defaults}");
        assert_eq!(Config::parse(&defaults).unwrap().scoring.lexicon, None);
    }

    #[test]
    fn contradictory_deadlines_are_refused() {
        for (text, expected) in [
            ("[deadlines]\ncomplaint_days = 0\n", "complaint_days = 0: give at least 1 working day"),
            ("[deadlines]\nacceptance_days = 0\n", "acceptance_days = 0"),
            ("[deadlines]\ncomplaint_target_days = 9\n", "complaint_target_days = 9 is beyond complaint_days = 5"),
            ("[deadlines]\ncomplex_max_days = 2\n", "complex_max_days = 2 is shorter than complaint_days = 5"),
            (
                "[calendar]\nholidays = [2019-12-26]\nworkdays = [2019-12-26]\n",
                "2019-12-26 is both in holidays and in workdays",
            ),
        ] {
            let error = Config::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        assert!(Config::parse("[deadlines]\ncomplaint_days = 3\ncomplaint_target_days = 3\n").is_ok());
    }

    #[test]
    fn a_misspelt_key_is_an_error_that_names_it() {
        let error = Config::parse("[deadlines]\ncomplain_days = 3\n").unwrap_err();
        assert!(error.contains("complain_days"), "{error}");
        let error = Config::parse("[deadline]\n").unwrap_err();
        assert!(error.contains("deadline"), "{error}");
    }

    #[test]
    fn the_file_in_the_data_folder_is_read_and_a_bad_one_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(dir.path()).unwrap(), Config::default());
        std::fs::write(dir.path().join(FILE_IN_DATA_DIR), "[deadlines]\nacceptance_days = 2\n").unwrap();
        assert_eq!(Config::load(dir.path()).unwrap().deadlines.acceptance_days, 2);
        std::fs::write(dir.path().join(FILE_IN_DATA_DIR), "[deadlines]\nacceptance_days = \"two\"\n").unwrap();
        let error = format!("{:#}", Config::load(dir.path()).unwrap_err());
        assert!(error.contains("wenzheng.toml") && error.contains("acceptance_days"), "{error}");
    }
}

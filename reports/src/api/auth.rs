//! Who may see what: bearer tokens, each with a role, compared by SHA-256 hash in constant
//! time; and the role each path needs.
//!
//! Tokens come from the `[access]` section of the config file (hashes only, so the file can
//! be shared) and from `WENZHENG_TOKENS="supervisor:<token>,viewer:<token>"` (plain tokens,
//! for scripts and tests; hashed on reading). The server never keeps or logs a plain token.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The environment variable with `role:token` pairs.
pub const TOKENS_VAR: &str = "WENZHENG_TOKENS";

/// What a token may see; each role sees everything the roles below it see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Rankings, indicators, units, charts.
    Viewer,
    /// + search, cases, issues, similar cases; citizens' ids, phones and ID numbers masked.
    Analyst,
    /// + flagged replies, and every text unmasked.
    Supervisor,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text.trim() {
            "viewer" => Role::Viewer,
            "analyst" => Role::Analyst,
            "supervisor" => Role::Supervisor,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Supervisor => "supervisor",
        }
    }

    /// Whether texts shown to this role have personal data masked.
    pub fn masked(self) -> bool {
        self < Role::Supervisor
    }
}

/// One token of the config file: its role and the SHA-256 of the token, in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    pub role: Role,
    pub sha256: String,
}

/// The `[access]` section of the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessConfig {
    pub tokens: Vec<TokenEntry>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessError {
    #[error("bad {TOKENS_VAR} entry {entry:?}: {reason} (hint: write supervisor:<token>,viewer:<token>)")]
    BadEnvEntry { entry: String, reason: &'static str },
    #[error(
        "bad token hash for role {role}: {reason} (hint: give the 64 hex digits of `printf %s TOKEN | sha256sum`)"
    )]
    BadHash { role: &'static str, reason: &'static str },
    #[error("cannot read the [access] section of the config file: {0} (hint: [access] tokens = [{{ role = \"viewer\", sha256 = \"…\" }}])")]
    BadConfig(String),
}

impl AccessConfig {
    /// The `[access]` section of a whole config file (other sections belong to other stages
    /// and are left alone); the default when there is none.
    pub fn from_config_text(text: &str) -> Result<AccessConfig, AccessError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| AccessError::BadConfig(e.to_string()))?;
        match table.get("access") {
            None => Ok(AccessConfig::default()),
            Some(section) => {
                section.clone().try_into().map_err(|e: toml::de::Error| AccessError::BadConfig(e.to_string()))
            }
        }
    }
}

/// The known tokens, as hashes with their roles.
#[derive(Debug, Clone, Default)]
pub struct Access {
    hashes: Vec<([u8; 32], Role)>,
}

impl Access {
    /// From the config section and the value of [`TOKENS_VAR`] (if set).
    pub fn new(config: &AccessConfig, env_tokens: Option<&str>) -> Result<Access, AccessError> {
        let mut hashes = Vec::new();
        for entry in &config.tokens {
            let role = entry.role.as_str();
            let bytes = hex::decode(entry.sha256.trim())
                .map_err(|_| AccessError::BadHash { role, reason: "not hexadecimal" })?;
            let hash: [u8; 32] =
                bytes.try_into().map_err(|_| AccessError::BadHash { role, reason: "not 64 hex digits" })?;
            hashes.push((hash, entry.role));
        }
        for entry in env_tokens.unwrap_or("").split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = |reason| AccessError::BadEnvEntry { entry: redacted(entry), reason };
            let (role, token) = entry.split_once(':').ok_or_else(|| bad("no role: before the token"))?;
            let role = Role::parse(role).ok_or_else(|| bad("the role is not viewer, analyst or supervisor"))?;
            if token.trim().len() < 8 {
                return Err(bad("a token needs at least 8 characters"));
            }
            hashes.push((sha256(token.trim()), role));
        }
        Ok(Access { hashes })
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The role of a presented token, the highest when it is listed more than once. Every
    /// known hash is compared, each in constant time, so timing tells nothing.
    pub fn role_of(&self, token: &str) -> Option<Role> {
        let presented = sha256(token);
        let mut found = None;
        for (hash, role) in &self.hashes {
            if constant_time_eq(hash, &presented) {
                found = found.max(Some(*role));
            }
        }
        found
    }

    /// The role of an `Authorization: Bearer <token>` header value.
    pub fn role_of_header(&self, header: Option<&str>) -> Option<Role> {
        // The scheme's name is case-insensitive (RFC 9110 §11.1): "BEARER" and "bearer" too.
        let (scheme, token) = header?.trim().split_once(|c: char| c.is_ascii_whitespace())?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return None;
        }
        self.role_of(token)
    }
}

pub fn sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An env entry shown in an error without its token.
fn redacted(entry: &str) -> String {
    match entry.split_once(':') {
        Some((role, _)) => format!("{role}:…"),
        None => "…".to_string(),
    }
}

/// What a request needs: `None` for the open paths (the page, its assets, health).
pub fn required_role(path: &str) -> Option<Role> {
    if path == "/" || path == "/api/health" || path.starts_with("/assets/") {
        return None;
    }
    if path.starts_with("/api/replies/flagged") {
        return Some(Role::Supervisor);
    }
    let analyst = ["/api/search", "/api/cases", "/api/issues"];
    if analyst.iter().any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/"))) {
        return Some(Role::Analyst);
    }
    Some(Role::Viewer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(access: &Access, header: Option<&str>, expected: Option<Role>) {
        assert_eq!(access.role_of_header(header), expected, "{header:?}");
    }

    #[test]
    fn tokens_from_the_environment_and_the_config_give_their_roles() {
        let config = AccessConfig {
            tokens: vec![TokenEntry { role: Role::Analyst, sha256: hex::encode(sha256("analyst-token-1")) }],
        };
        let access = Access::new(&config, Some("supervisor:boss-token-1, viewer:look-token-1")).expect("valid");
        check(&access, Some("Bearer boss-token-1"), Some(Role::Supervisor));
        check(&access, Some("Bearer look-token-1"), Some(Role::Viewer));
        check(&access, Some("Bearer analyst-token-1"), Some(Role::Analyst));
        check(&access, Some("Bearer wrong-token"), None);
        check(&access, Some("boss-token-1"), None);
        check(&access, Some("Bearer "), None);
        check(&access, Some("BEARER boss-token-1"), Some(Role::Supervisor));
        check(&access, Some("bearer\tlook-token-1"), Some(Role::Viewer));
        check(&access, Some("Basic boss-token-1"), None);
        check(&access, Some("Bearerboss-token-1"), None);
        check(&access, None, None);
    }

    #[test]
    fn bad_entries_are_refused_without_showing_the_token() {
        let none = AccessConfig::default();
        let error = Access::new(&none, Some("boss:secret-token")).expect_err("unknown role").to_string();
        assert!(error.contains("\"boss:…\"") && !error.contains("secret"), "{error}");
        assert!(Access::new(&none, Some("viewer:short")).is_err());
        assert!(Access::new(&none, Some("nocolon")).is_err());
        let bad_hash = AccessConfig { tokens: vec![TokenEntry { role: Role::Viewer, sha256: "abc".into() }] };
        assert!(Access::new(&bad_hash, None).is_err());
    }

    #[test]
    fn the_access_section_is_read_from_a_whole_config_file() {
        let hash = hex::encode(sha256("look-token-1"));
        let text =
            format!("[annual]\nweights = 1\n\n[access]\ntokens = [{{ role = \"viewer\", sha256 = \"{hash}\" }}]\n");
        let config = AccessConfig::from_config_text(&text).expect("valid");
        assert_eq!(config.tokens, vec![TokenEntry { role: Role::Viewer, sha256: hash }]);
        assert_eq!(AccessConfig::from_config_text("").expect("empty"), AccessConfig::default());
        assert!(AccessConfig::from_config_text("[access]\ntoken = []").is_err(), "typo refused");
    }

    #[test]
    fn each_path_needs_its_role() {
        for (path, role) in [
            ("/", None),
            ("/api/health", None),
            ("/assets/app.js", None),
            ("/openapi.json", Some(Role::Viewer)),
            ("/api/rankings", Some(Role::Viewer)),
            ("/api/units/市住建局/indicators", Some(Role::Viewer)),
            ("/charts/ranking.svg", Some(Role::Viewer)),
            ("/api/search", Some(Role::Analyst)),
            ("/api/cases/12/similar", Some(Role::Analyst)),
            ("/api/issues", Some(Role::Analyst)),
            ("/api/replies/flagged", Some(Role::Supervisor)),
            ("/api/searching", Some(Role::Viewer)),
        ] {
            assert_eq!(required_role(path), role, "{path}");
        }
    }
}

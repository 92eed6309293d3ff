//! The category model file: small, versioned, checked.
//!
//! Layout (little-endian):
//! ```text
//! "WZCATMDL"                     magic, 8 bytes
//! u16 format version             FORMAT_VERSION
//! u32 n + n bytes                JSON header: classes, feature config, temperature, weight step, …
//! per feature: u8 kind, f32 idf, u16 n + n bytes of UTF-8 text   (sorted by kind, text)
//! i16 × features × classes       weights in steps of the header's `weight_step`
//! f32 × classes                  biases
//! u64                            FNV-1a checksum of everything before it
//! ```
//! The weights are stored as 16-bit steps of the largest weight; training rounds them the
//! same way, so a model predicts the same before and after a round trip.

use super::features::{Feature, FeatureConfig, FeatureKind, Vectorizer};
use super::train::LinearWeights;
use super::CategoryModel;

pub const MAGIC: &[u8; 8] = b"WZCATMDL";
/// The format this build writes and reads. Raise it whenever the layout or the meaning of
/// the features changes (tokenisation, stop words, n-grams). v2: the header gives the shortest
/// character n-gram, and `seg_text` reaches the model as words (v1's command line squashed
/// them into runs of characters when it cleaned the file's text).
pub const FORMAT_VERSION: u16 = 2;

/// Why bytes are not a model this build can use. Messages complete "model file X …".
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelFormatError {
    #[error("is not a wenzheng category model (it does not start with {magic}): train one with `wenzheng category train`", magic = String::from_utf8_lossy(MAGIC))]
    NotAModel,
    #[error("is format v{found}, this wenzheng reads v{FORMAT_VERSION}: retrain with `wenzheng category train`")]
    Version { found: u16 },
    #[error("is damaged ({0}): copy it again or retrain with `wenzheng category train`")]
    Damaged(String),
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    classes: Vec<String>,
    features: usize,
    config: FeatureConfig,
    temperature: f32,
    weight_step: f32,
    trained_on: usize,
}

impl CategoryModel {
    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let classes = self.classes.len();
        let largest = self.weights.w.iter().fold(0f32, |m, w| m.max(w.abs()));
        let step = if largest > 0.0 { largest / i16::MAX as f32 } else { 1.0 };
        let header = Header {
            classes: self.classes.clone(),
            features: self.vectorizer.len(),
            config: self.vectorizer.config.clone(),
            temperature: self.temperature,
            weight_step: step,
            trained_on: self.trained_on,
        };
        let header = serde_json::to_vec(&header).expect("a header serialises");
        let mut out = Vec::with_capacity(64 + header.len() + self.vectorizer.len() * (12 + 2 * classes));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for feature in &self.vectorizer.features {
            out.push(feature.kind as u8);
            out.extend_from_slice(&feature.idf.to_le_bytes());
            out.extend_from_slice(&(feature.text.len() as u16).to_le_bytes());
            out.extend_from_slice(feature.text.as_bytes());
        }
        for w in &self.weights.w {
            out.extend_from_slice(&((w / step).round() as i16).to_le_bytes());
        }
        for b in &self.weights.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        let checksum = fnv1a(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        out
    }

    /// Reads a model file's bytes, refusing other files, other format versions and damage.
    pub fn from_bytes(bytes: &[u8]) -> Result<CategoryModel, ModelFormatError> {
        if bytes.len() < MAGIC.len() + 2 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(ModelFormatError::NotAModel);
        }
        let found = u16::from_le_bytes([bytes[8], bytes[9]]);
        if found != FORMAT_VERSION {
            return Err(ModelFormatError::Version { found });
        }
        let damaged = |what: &str| ModelFormatError::Damaged(what.to_string());
        let body_len = bytes.len().checked_sub(8).ok_or_else(|| damaged("too short"))?;
        let stored = u64::from_le_bytes(bytes[body_len..].try_into().map_err(|_| damaged("too short"))?);
        if body_len < 10 || stored != fnv1a(&bytes[..body_len]) {
            return Err(damaged("checksum mismatch"));
        }
        let mut reader = Reader { bytes: &bytes[..body_len], at: 10 };
        let header_len = reader.u32()? as usize;
        let header: Header =
            serde_json::from_slice(reader.take(header_len)?).map_err(|e| damaged(&format!("header: {e}")))?;
        let classes = header.classes.len();
        if classes < 2 {
            return Err(damaged("fewer than two categories"));
        }
        let mut features = Vec::with_capacity(header.features);
        for _ in 0..header.features {
            let kind = FeatureKind::from_byte(reader.take(1)?[0]).ok_or_else(|| damaged("unknown feature kind"))?;
            let idf = f32::from_le_bytes(reader.take(4)?.try_into().expect("4 bytes"));
            let len = u16::from_le_bytes(reader.take(2)?.try_into().expect("2 bytes")) as usize;
            let text = std::str::from_utf8(reader.take(len)?).map_err(|_| damaged("feature text is not UTF-8"))?;
            features.push(Feature { kind, text: text.to_string(), idf });
        }
        let w: Vec<f32> = reader
            .take(header.features * classes * 2)?
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 * header.weight_step)
            .collect();
        let bias: Vec<f32> = reader
            .take(classes * 4)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        if reader.at != reader.bytes.len() {
            return Err(damaged("unexpected bytes after the weights"));
        }
        Ok(CategoryModel {
            vectorizer: Vectorizer::from_features(header.config, features),
            classes: header.classes,
            weights: LinearWeights { classes, w, bias },
            temperature: header.temperature,
            trained_on: header.trained_on,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelFormatError> {
        let end = self.at.checked_add(n).filter(|end| *end <= self.bytes.len());
        let end = end.ok_or_else(|| ModelFormatError::Damaged("ends too early".into()))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, ModelFormatError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

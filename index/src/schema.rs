//! What one document of the index holds: a post, its final reply and the reply's scores
//! ([`IndexDoc`], filled by the pipeline), and how it maps to tantivy fields.
//!
//! Text fields (subject, body, reply) are cut by the Chinese analyzer with positions and stored
//! (for snippets and similar cases). unit, region, kind and category are exact-match strings.
//! Dates, likes, scores, levels and working days to reply are fast fields, for filters and sorts.
//! `post_id` is indexed (to replace a case) and a fast field together with `fingerprint` (to tell
//! what changed without reading stored documents) and `id_order` (to break ties in sorts).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    FAST, INDEXED, STORED, STRING,
};
use tantivy::{DateTime, TantivyDocument};

use crate::analyzer::{LOCAL_WORDS, TOKENIZER_NAME};

/// Bump when the analyzer or the schema's meaning changes: every case is then re-indexed.
pub const INDEX_VERSION: &str = "3";

/// A post with its final reply, as the pipeline hands it to the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDoc {
    pub post_id: String,
    pub subject: String,
    pub body: String,
    /// Local (Asia/Shanghai) time, as in the tables.
    pub posted_at: NaiveDateTime,
    /// The unit the post was addressed to, when known.
    pub unit: Option<String>,
    pub region: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub likes: i64,
    pub reply: Option<IndexedReply>,
}

/// The final reply of a post (the one with the highest `seq`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedReply {
    pub body: String,
    pub replied_at: NaiveDateTime,
    /// The unit that replied, when known.
    pub unit: Option<String>,
    /// Working days from the post's receipt to the reply (SPEC §4 rule 4).
    pub workdays_to_reply: i32,
    /// The reply's scores, once `wenzheng score` has run.
    pub levels: Option<ReplyLevels>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyLevels {
    /// 0 (no), 1 (partly), 2 (flagged).
    pub evasive_level: u8,
    pub vague_level: u8,
    pub evasive_score: f64,
    pub vague_score: f64,
    pub reply_type: String,
}

impl IndexDoc {
    /// The unit responsible for the case: the replying unit, else the addressed one.
    pub fn responsible_unit(&self) -> Option<&str> {
        self.reply.as_ref().and_then(|r| r.unit.as_deref()).or(self.unit.as_deref())
    }

    /// A hash of everything indexed about the case, the index version and the local words:
    /// equal fingerprints mean the stored document is up to date. Every field is taken apart
    /// by name, so a field added to the case cannot be left out of the hash.
    pub fn fingerprint(&self, extra_words: &str) -> u64 {
        let mut hash = Fnv64::new();
        hash.write(INDEX_VERSION.as_bytes());
        hash.write(LOCAL_WORDS.as_bytes());
        hash.write(extra_words.as_bytes());
        let IndexDoc { post_id, subject, body, posted_at, unit, region, kind, category, likes, reply } = self;
        for text in [post_id, subject, body] {
            hash.write(text.as_bytes());
        }
        hash.write_time(*posted_at);
        for value in [unit, region, kind, category] {
            hash.write_option(value.as_deref());
        }
        hash.write_u64(*likes as u64);
        let Some(IndexedReply { body, replied_at, unit, workdays_to_reply, levels }) = reply else {
            hash.write_u64(0);
            return hash.finish();
        };
        hash.write(body.as_bytes());
        hash.write_time(*replied_at);
        hash.write_option(unit.as_deref());
        hash.write_u64(*workdays_to_reply as u64);
        let Some(ReplyLevels { evasive_level, vague_level, evasive_score, vague_score, reply_type }) = levels else {
            hash.write_u64(1);
            return hash.finish();
        };
        hash.write_u64(2);
        for level in [evasive_level, vague_level] {
            hash.write_u64(*level as u64);
        }
        for score in [evasive_score, vague_score] {
            hash.write_u64(score.to_bits());
        }
        hash.write(reply_type.as_bytes());
        hash.finish()
    }
}

/// FNV-1a over 8-byte words (then the tail bytes): stable across Rust versions and runs, unlike
/// `DefaultHasher`, and a word at a time because every case of a million is hashed on each full
/// update (a step per byte cost as much as serialising the case did).
struct Fnv64(u64);

const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Fnv64 {
    fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(FNV_PRIME);
    }

    /// The bytes, then their length, so ("ab", "c") and ("a", "bc") differ.
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.write_u64(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        for &b in words.remainder() {
            self.write_u64(b as u64);
        }
        self.write_u64(bytes.len() as u64);
    }

    fn write_time(&mut self, time: NaiveDateTime) {
        self.write_u64(time.and_utc().timestamp_micros() as u64);
    }

    /// `None` and `Some("")` differ.
    fn write_option(&mut self, text: Option<&str>) {
        match text {
            None => self.write_u64(u64::MAX),
            Some(text) => self.write(text.as_bytes()),
        }
    }

    /// The state with its bits mixed (murmur3's finaliser), so that nearby states spread out.
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The fields of the schema, by name.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub post_id: Field,
    /// The post id's first 8 bytes as a number ([`id_order`]), to break ties without text.
    pub id_order: Field,
    pub fingerprint: Field,
    pub subject: Field,
    pub body: Field,
    pub reply: Field,
    /// The responsible unit first, then the addressed unit when different: a filter matches either.
    pub unit: Field,
    pub region: Field,
    pub kind: Field,
    pub category: Field,
    pub posted_at: Field,
    pub replied_at: Field,
    pub likes: Field,
    pub evasive_level: Field,
    pub vague_level: Field,
    pub evasive_score: Field,
    pub vague_score: Field,
    /// The larger of the two scores: "how problematic is this reply", for sorting and `min_score`.
    pub score: Field,
    pub workdays: Field,
    pub reply_type: Field,
}

pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let date = DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds);
    let number = || NumericOptions::default().set_indexed().set_stored().set_fast();
    let fields = Fields {
        post_id: b.add_text_field("post_id", STRING | STORED | FAST),
        id_order: b.add_u64_field("id_order", FAST),
        fingerprint: b.add_u64_field("fingerprint", FAST),
        subject: b.add_text_field("subject", text.clone()),
        body: b.add_text_field("body", text.clone()),
        reply: b.add_text_field("reply", text),
        unit: b.add_text_field("unit", STRING | STORED),
        region: b.add_text_field("region", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        category: b.add_text_field("category", STRING | STORED),
        posted_at: b.add_date_field("posted_at", date.clone()),
        replied_at: b.add_date_field("replied_at", date),
        likes: b.add_i64_field("likes", number()),
        evasive_level: b.add_u64_field("evasive_level", number()),
        vague_level: b.add_u64_field("vague_level", number()),
        evasive_score: b.add_f64_field("evasive_score", number()),
        vague_score: b.add_f64_field("vague_score", number()),
        score: b.add_f64_field("score", number()),
        workdays: b.add_i64_field("workdays", number()),
        reply_type: b.add_text_field("reply_type", STORED),
    };
    (b.build(), fields)
}

/// The first 8 bytes of a post id, big-endian, padded with zeros: two ids that differ there
/// compare as numbers like they do as text ("10" < "9"); longer ids may share it.
pub fn id_order(post_id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (to, from) in bytes.iter_mut().zip(post_id.as_bytes()) {
        *to = *from;
    }
    u64::from_be_bytes(bytes)
}

/// Local time as the index stores it (the naive time read as UTC, like the Parquet tables).
pub fn to_date(t: NaiveDateTime) -> DateTime {
    DateTime::from_timestamp_secs(t.and_utc().timestamp())
}

pub fn from_date(t: DateTime) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(t.into_timestamp_secs(), 0).map(|t| t.naive_utc()).unwrap_or_default()
}

impl Fields {
    pub fn document(&self, doc: &IndexDoc, fingerprint: u64) -> TantivyDocument {
        let mut d = TantivyDocument::new();
        d.add_text(self.post_id, &doc.post_id);
        d.add_u64(self.id_order, id_order(&doc.post_id));
        d.add_u64(self.fingerprint, fingerprint);
        d.add_text(self.subject, &doc.subject);
        d.add_text(self.body, &doc.body);
        if let Some(unit) = doc.responsible_unit() {
            d.add_text(self.unit, unit);
        }
        if let Some(addressed) = doc.unit.as_deref().filter(|u| Some(*u) != doc.responsible_unit()) {
            d.add_text(self.unit, addressed);
        }
        for (field, value) in [(self.region, &doc.region), (self.kind, &doc.kind), (self.category, &doc.category)] {
            if let Some(value) = value {
                d.add_text(field, value);
            }
        }
        d.add_date(self.posted_at, to_date(doc.posted_at));
        d.add_i64(self.likes, doc.likes);
        if let Some(reply) = &doc.reply {
            d.add_text(self.reply, &reply.body);
            d.add_date(self.replied_at, to_date(reply.replied_at));
            d.add_i64(self.workdays, reply.workdays_to_reply as i64);
            if let Some(levels) = &reply.levels {
                d.add_u64(self.evasive_level, levels.evasive_level as u64);
                d.add_u64(self.vague_level, levels.vague_level as u64);
                d.add_f64(self.evasive_score, levels.evasive_score);
                d.add_f64(self.vague_score, levels.vague_score);
                d.add_f64(self.score, levels.evasive_score.max(levels.vague_score));
                d.add_text(self.reply_type, &levels.reply_type);
            }
        }
        d
    }
}

//! Answers kept in memory: the data does not change while `wenzheng serve` runs, so the same
//! request by the same role always gets the same bytes. A dashboard asks the same few things
//! again and again (this year's ranking, the first page of flagged replies, a unit's page),
//! and answering those from memory leaves the cores to the searches that are new.
//!
//! Bounded by bytes, with two generations instead of a full LRU list: new answers go to the
//! young generation; when it holds half the budget it becomes the old one and the previous old
//! one is dropped; a hit in the old generation moves the answer back to the young one. What
//! is asked often stays, what was asked once ages out, and nothing needs a linked list.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::HeaderValue;

/// One stored answer: its body and its content type.
#[derive(Clone)]
pub struct Answer {
    pub body: Bytes,
    pub content_type: Option<HeaderValue>,
}

impl Answer {
    fn size(&self, key: &str) -> usize {
        self.body.len() + key.len() + 64
    }
}

/// Answers by request (role, path and query), at most `budget` bytes.
pub struct AnswerCache {
    budget: usize,
    generations: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    young: HashMap<String, Answer>,
    young_bytes: usize,
    old: HashMap<String, Answer>,
}

impl AnswerCache {
    /// A cache of at most `budget` bytes; 0 turns it off.
    pub fn new(budget: usize) -> AnswerCache {
        AnswerCache { budget, generations: Mutex::default() }
    }

    /// Whether answers of `size` bytes are worth keeping at all: one answer may take at most
    /// an eighth of the budget, so a few large pages cannot push out everything else.
    pub fn admits(&self, size: usize) -> bool {
        size <= self.budget / 8
    }

    pub fn get(&self, key: &str) -> Option<Answer> {
        let mut generations = self.generations.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(answer) = generations.young.get(key) {
            return Some(answer.clone());
        }
        let answer = generations.old.remove(key)?;
        generations.insert(key.to_string(), answer.clone(), self.budget);
        Some(answer)
    }

    pub fn put(&self, key: String, answer: Answer) {
        if !self.admits(answer.size(&key)) {
            return;
        }
        let mut generations = self.generations.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        generations.insert(key, answer, self.budget);
    }

    /// Bytes held (both generations), for the tests.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        let generations = self.generations.lock().unwrap();
        generations.young_bytes + generations.old.iter().map(|(k, a)| a.size(k)).sum::<usize>()
    }
}

impl Generations {
    fn insert(&mut self, key: String, answer: Answer, budget: usize) {
        let size = answer.size(&key);
        if self.young_bytes + size > budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += size;
        if let Some(previous) = self.young.insert(key.clone(), answer) {
            self.young_bytes -= previous.size(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Answer {
        Answer { body: Bytes::from(text.to_string()), content_type: None }
    }

    fn body(cache: &AnswerCache, key: &str) -> Option<String> {
        cache.get(key).map(|a| String::from_utf8(a.body.to_vec()).unwrap())
    }

    #[test]
    fn an_answer_is_given_back_until_it_ages_out() {
        // Each entry is 64 + key + body bytes; a budget of 1,000 keeps a young generation of
        // up to 500 bytes: about six of these.
        let cache = AnswerCache::new(1_000);
        cache.put("a".into(), answer("first"));
        assert_eq!(body(&cache, "a").as_deref(), Some("first"));
        for i in 0..20 {
            cache.put(format!("k{i}"), answer("filler"));
        }
        assert_eq!(body(&cache, "a"), None, "asked once, long ago: dropped");
        assert!(cache.bytes() <= 1_000);
    }

    #[test]
    fn an_answer_asked_again_survives_a_generation() {
        let cache = AnswerCache::new(1_000);
        cache.put("hot".into(), answer("ranking"));
        for i in 0..12 {
            // The hot answer is asked between the others, as a dashboard's ranking is.
            assert_eq!(body(&cache, "hot").as_deref(), Some("ranking"), "after {i} others");
            cache.put(format!("k{i}"), answer("filler"));
        }
    }

    #[test]
    fn large_answers_and_a_zero_budget_are_not_kept() {
        let cache = AnswerCache::new(1_000);
        cache.put("big".into(), answer(&"x".repeat(200)));
        assert_eq!(body(&cache, "big"), None, "more than an eighth of the budget");
        let off = AnswerCache::new(0);
        off.put("a".into(), answer("x"));
        assert_eq!(body(&off, "a"), None);
    }
}

//! What clustering reads of each post, computed once per post and kept between runs.
//!
//! Everything in a post's [`FeatureTable`] row depends on that post alone (and the config),
//! never on the rest of the corpus: its block keys (the places it names), the bigram sample of
//! its subject, and the bottom-k sample of its text. So a daily run computes them for the
//! day's posts only and reads the others from a cache (`pipeline::recurring`). What depends on
//! the corpus — how common each bigram is — is a sum over the posts of each month
//! ([`MonthlyFrequencies`]), which the day's posts add to in the same way.
//!
//! The text sample is kept twice as long as the content sample a comparison uses: the
//! content sample leaves out bigrams common in the months before the post's, and which those
//! are changes from month to month, so it is chosen from the stored sample when the posts are
//! grouped (see [`super::similarity::content_sample`]).

use super::monthly::{month_of, MonthlyFrequencies};
use super::places::{all_places_in, without_places, Place};
use super::similarity::{bigrams, DocumentFrequencies};
use super::{IssuePost, RecurringConfig};

/// Bump when what is computed here changes, so cached tables are recomputed.
/// 2: bigrams counted per month of the posts' times; 3: a name generic alone is a generic place;
/// 4: organisations marked ([`ORGANISATION`]), the key of a name ending with a common word;
/// 5: a name starts after a facility named before it ("搅拌站丽发新城小区"); 6: a company's key
/// reaches back over its trade ("安乐建筑劳务有限公司", not "劳务有限公司"); 7: 都 may stand in a
/// name ("柠檬丽都小区"), and a name cut at eight characters does not begin inside a head
/// ("诉高新区…").
pub const FEATURES_VERSION: u32 = 7;

/// The bit set in the hash of a place that is an organisation ([`Place::is_organisation`]):
/// places and organisations are compared apart (see `places_agree` in [`mod@super::cluster`]).
pub const ORGANISATION: u64 = 1 << 63;

/// Per post, flat: block keys, subject sample and text sample (sorted hashes each).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureTable {
    keys: Lists<u64>,
    places: Lists<u64>,
    subjects: Lists<u32>,
    texts: Lists<u32>,
}

/// The features of one post.
#[derive(Debug, Clone, Copy)]
pub struct Features<'a> {
    /// Block keys, sorted: the places named, or the subject when none is.
    pub keys: &'a [u64],
    /// Where the post is, sorted: the places named, generic ones included.
    pub places: &'a [u64],
    /// The smallest hashes of the subject's bigrams, places removed.
    pub subject: &'a [u32],
    /// The smallest hashes of the bigrams of subject and body head, places removed.
    pub text: &'a [u32],
}

impl FeatureTable {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Features<'_> {
        Features {
            keys: self.keys.get(i),
            places: self.places.get(i),
            subject: self.subjects.get(i),
            text: self.texts.get(i),
        }
    }

    /// Appends the rows of `other` (another part of the corpus).
    pub fn extend(&mut self, other: &FeatureTable) {
        self.keys.extend(&other.keys);
        self.places.extend(&other.places);
        self.subjects.extend(&other.subjects);
        self.texts.extend(&other.texts);
    }

    /// Makes room for `rows` more rows computed under `config`, at the most they can hold (the
    /// samples' sizes; block keys and places, about 1.3 a post, at four). Room not filled is
    /// never touched, so it costs no memory; without it the buffers of a million posts, half a
    /// gigabyte, doubled as they grew, and each doubling held the old buffer beside the new.
    pub fn reserve(&mut self, rows: usize, config: &RecurringConfig) {
        self.keys.reserve(rows, 4);
        self.places.reserve(rows, 4);
        self.subjects.reserve(rows, config.subject_bigrams);
        self.texts.reserve(rows, text_sample_size(config));
    }

    /// The table as bytes (little-endian), for the cache.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.rows_to_bytes(0)
    }

    /// The rows from `first` on as bytes, as [`FeatureTable::to_bytes`] writes a table of them.
    pub fn rows_to_bytes(&self, first: usize) -> Vec<u8> {
        let size = self.keys.size_from(first)
            + self.places.size_from(first)
            + self.subjects.size_from(first)
            + self.texts.size_from(first);
        let mut out = Vec::with_capacity(size);
        self.keys.write_from(first, &mut out);
        self.places.write_from(first, &mut out);
        self.subjects.write_from(first, &mut out);
        self.texts.write_from(first, &mut out);
        out
    }

    /// The table written by [`FeatureTable::to_bytes`]; `None` when the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<FeatureTable> {
        let mut table = FeatureTable::default();
        table.append_bytes(bytes).then_some(table)
    }

    /// Appends the rows of the table written by [`FeatureTable::to_bytes`] (another part of the
    /// corpus), decoded straight into this table's buffers: a million posts' cached features
    /// are half a gigabyte, and a table of their own per part, then copied, made the daily
    /// run's reading of them half as slow again. `false`, and this table unchanged, when the
    /// bytes are not such a table.
    pub fn append_bytes(&mut self, bytes: &[u8]) -> bool {
        let before = self.lens();
        let mut reader = Reader { bytes, at: 0 };
        let read = self.keys.read_appending(&mut reader)
            && self.places.read_appending(&mut reader)
            && self.subjects.read_appending(&mut reader)
            && self.texts.read_appending(&mut reader);
        let rows = self.keys.len();
        let aligned = [self.places.len(), self.subjects.len(), self.texts.len()].iter().all(|&n| n == rows);
        if !(read && reader.at == bytes.len() && aligned) {
            self.truncate(before);
            return false;
        }
        true
    }

    /// Lengths of the four lists' buffers (items, ends), for [`FeatureTable::truncate`].
    fn lens(&self) -> [(usize, usize); 4] {
        [self.keys.lens(), self.places.lens(), self.subjects.lens(), self.texts.lens()]
    }

    fn truncate(&mut self, [keys, places, subjects, texts]: [(usize, usize); 4]) {
        self.keys.truncate(keys);
        self.places.truncate(places);
        self.subjects.truncate(subjects);
        self.texts.truncate(texts);
    }

    /// The rows `rows` of this table, in that order.
    fn reordered(&self, rows: &[u32]) -> FeatureTable {
        let mut table = FeatureTable::default();
        for &row in rows {
            let post = self.get(row as usize);
            table.push(post.keys, post.places, post.subject, post.text);
        }
        table
    }

    fn push(&mut self, keys: &[u64], places: &[u64], subject: &[u32], text: &[u32]) {
        self.keys.push(keys);
        self.places.push(places);
        self.subjects.push(subject);
        self.texts.push(text);
    }
}

/// The features of `posts`, and how many of them hold each bigram month by month, on all cores.
pub fn compute(posts: &[IssuePost], config: &RecurringConfig) -> (FeatureTable, MonthlyFrequencies) {
    compute_with(posts, config, &CountTables::default())
}

/// Empty bigram count tables, kept from one [`compute_with`] to the next. Each thread counts
/// into a table of sixteen megabytes, which a new allocation gets from the kernel a page fault
/// at a time; made anew for every thread of every slice of posts, they were most of the page
/// faults of a small run (with the tables of `super::profiles`, a thousand posts took 0.65 s,
/// now 0.35 s).
#[derive(Default)]
pub struct CountTables(std::sync::Mutex<Vec<DocumentFrequencies>>);

impl CountTables {
    fn take(&self) -> DocumentFrequencies {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop().unwrap_or_default()
    }

    /// Keeps `table`, which is empty again (see [`DocumentFrequencies::take_slots`]).
    fn keep(&self, table: DocumentFrequencies) {
        debug_assert_eq!(table.docs(), 0, "a count table is kept empty");
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(table);
    }
}

/// [`compute`], counting into the tables of `tables`.
pub fn compute_with(
    posts: &[IssuePost],
    config: &RecurringConfig,
    tables: &CountTables,
) -> (FeatureTable, MonthlyFrequencies) {
    // Bigrams are counted into one table per month, so each thread reads its posts month by
    // month (a part of posts is nearly always in time order already); rows go back in the
    // order of `posts` at the end.
    let months: Vec<i32> = posts.iter().map(|p| month_of(p.posted_at)).collect();
    let mut order: Vec<u32> = (0..posts.len() as u32).collect();
    let in_month_order = months.windows(2).all(|w| w[0] <= w[1]);
    if !in_month_order {
        order.sort_by_key(|&i| months[i as usize]);
    }
    let parts = in_parallel(&order, |chunk| {
        let (mut table, mut monthly) = (FeatureTable::default(), MonthlyFrequencies::default());
        let (mut counts, mut counted_slots) = (tables.take(), Vec::new());
        let (mut subject_bigrams, mut text_bigrams) = (Vec::new(), Vec::new());
        for (k, &i) in chunk.iter().enumerate() {
            let (post, month) = (&posts[i as usize], months[i as usize]);
            let texts = texts(post, config);
            bigrams(&texts.subject, &mut subject_bigrams);
            bigrams(&texts.text, &mut text_bigrams);
            counts.add_noting_first(&text_bigrams, &mut counted_slots);
            let subject_sample = &subject_bigrams[..subject_bigrams.len().min(config.subject_bigrams)];
            let text_sample = &text_bigrams[..text_bigrams.len().min(text_sample_size(config))];
            table.push(&texts.keys, &texts.places, subject_sample, text_sample);
            if chunk.get(k + 1).is_none_or(|&next| months[next as usize] != month) {
                let (docs, slots) = counts.take_slots(&mut counted_slots);
                monthly.add_month_slots(month, docs, slots);
            }
        }
        tables.keep(counts);
        vec![(table, monthly)]
    });
    let mut parts = parts.into_iter();
    let (mut table, mut monthly) = parts.next().unwrap_or_default();
    for (more, counts) in parts {
        table.extend(&more);
        monthly.merge(&counts);
    }
    if !in_month_order {
        let mut row_of = vec![0u32; posts.len()];
        for (row, &i) in order.iter().enumerate() {
            row_of[i as usize] = row as u32;
        }
        table = table.reordered(&row_of);
    }
    (table, monthly)
}

/// Text bigrams kept per post: twice the content sample, so that it still fills once the
/// bigrams common in the corpus are left out.
pub fn text_sample_size(config: &RecurringConfig) -> usize {
    2 * config.content_bigrams
}

/// A fingerprint of what the features depend on: their version and the config fields read
/// here. A cache made under another fingerprint is recomputed.
pub fn fingerprint(config: &RecurringConfig) -> u64 {
    let fields = [FEATURES_VERSION as u64, config.max_places as u64, config.subject_bigrams as u64]
        .into_iter()
        .chain([config.content_bigrams as u64, config.body_chars as u64]);
    fields.fold(0xcbf2_9ce4_8422_2325, |h, x| (h ^ x).wrapping_mul(0x0100_0000_01b3))
}

fn body_head<'a>(body: &'a str, config: &RecurringConfig) -> &'a str {
    match body.char_indices().nth(config.body_chars) {
        Some((end, _)) => &body[..end],
        None => body,
    }
}

/// What [`texts`] makes of a post.
struct Texts {
    /// The subject, places removed.
    subject: String,
    /// Subject and body head, places removed.
    text: String,
    /// Block keys, sorted.
    keys: Vec<u64>,
    /// Where the post is, sorted: its places, generic ones ("京广铁路") included.
    places: Vec<u64>,
}

/// Subject and text (subject + body head) with places removed, the block keys and the
/// places: the places of the subject, else the first two of the body (bodies wander to
/// other places). A generic place ("分流道路") blocks nothing — "修好马路" reads the same —
/// but says where: "分流道路48号阳光城" is not at "万家丽北路48号阳光城".
fn texts(post: &IssuePost, config: &RecurringConfig) -> Texts {
    let head = body_head(post.body, config);
    let subject_places: Vec<Place> = all_places_in(post.subject, config.max_places);
    let body_places = all_places_in(head, config.max_places);
    let subject = without_places(post.subject, &subject_places);
    let text = format!("{subject}\n{}", without_places(head, &body_places));
    let named = |places: &[Place]| places.iter().any(|p| !p.generic);
    let key_places: Vec<&Place> = if named(&subject_places) {
        subject_places.iter().collect()
    } else {
        let mut first_two = body_places.iter().filter(|p| !p.generic).take(2).collect::<Vec<_>>();
        first_two.extend(subject_places.iter().chain(&body_places).filter(|p| p.generic).take(2));
        first_two
    };
    let hashes = |generic: bool| key_places.iter().filter(move |p| p.generic == generic).map(place_hash);
    let mut keys: Vec<u64> = hashes(false).collect();
    let mut places: Vec<u64> = keys.iter().copied().chain(hashes(true)).collect();
    if keys.is_empty() {
        // No place to block by: only a repeat of the same subject can be found. Generic places
        // stay in it: "市人民医院乱收费" is no repeat of "中心医院乱收费".
        let core: String = post.subject.chars().filter(|c| c.is_alphanumeric()).collect();
        if core.chars().count() >= 4 {
            keys.push(hash_key("subject", &core));
        }
    }
    for list in [&mut keys, &mut places] {
        list.sort_unstable();
        list.dedup();
    }
    Texts { subject, text, keys, places }
}

/// The hash of a place: of its key, with [`ORGANISATION`] set for a company or group.
fn place_hash(place: &&Place) -> u64 {
    let hash = hash_key("place", &place.key);
    if place.is_organisation() {
        hash | ORGANISATION
    } else {
        hash & !ORGANISATION
    }
}

/// A stable hash (FNV-1a), the same in every build: keys are cached on disk.
fn hash_key(kind: &str, key: &str) -> u64 {
    let bytes = kind.bytes().chain([0]).chain(key.bytes());
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Runs `work` on about equal chunks of `posts`, one per core, and concatenates the results.
pub(super) fn in_parallel<P: Sync, T: Send>(posts: &[P], work: impl Fn(&[P]) -> Vec<T> + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
    let chunk = posts.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = posts.chunks(chunk).map(|c| scope.spawn(|| work(c))).collect();
        handles.into_iter().flat_map(|h| h.join().expect("a clustering thread panicked")).collect()
    })
}

/// Lists of numbers, one per post, in one buffer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lists<T> {
    items: Vec<T>,
    /// `ends[i]`: where list `i` ends in `items`.
    ends: Vec<u32>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists { items: Vec::new(), ends: Vec::new() }
    }
}

impl<T: Copy + Number> Lists<T> {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn get(&self, i: usize) -> &[T] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.items[start..self.ends[i] as usize]
    }

    pub(super) fn push(&mut self, list: &[T]) {
        self.items.extend_from_slice(list);
        self.ends.push(self.items.len() as u32);
    }

    fn extend(&mut self, other: &Lists<T>) {
        let base = self.items.len() as u32;
        self.items.extend_from_slice(&other.items);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }

    fn reserve(&mut self, lists: usize, most_items_per_list: usize) {
        self.ends.reserve_exact(lists);
        self.items.reserve_exact(lists * most_items_per_list);
    }

    /// Where list `first` starts in `items`.
    fn start_of(&self, first: usize) -> usize {
        match first {
            0 => 0,
            _ => self.ends.get(first - 1).map_or(self.items.len(), |&end| end as usize),
        }
    }

    /// The bytes [`Lists::write_from`] writes.
    fn size_from(&self, first: usize) -> usize {
        16 + 4 * self.ends.len().saturating_sub(first)
            + std::mem::size_of::<T>() * (self.items.len() - self.start_of(first))
    }

    pub(super) fn write(&self, out: &mut Vec<u8>) {
        self.write_from(0, out);
    }

    /// The lists from `first` on, with their ends counted from their own first item.
    fn write_from(&self, first: usize, out: &mut Vec<u8>) {
        let (ends, base) = (self.ends.get(first..).unwrap_or_default(), self.start_of(first));
        out.extend_from_slice(&(ends.len() as u64).to_le_bytes());
        out.extend_from_slice(&((self.items.len() - base) as u64).to_le_bytes());
        ends.iter().for_each(|e| out.extend_from_slice(&(e - base as u32).to_le_bytes()));
        self.items[base..].iter().for_each(|&x| x.write(out));
    }

    pub(super) fn read(reader: &mut Reader) -> Option<Lists<T>> {
        let mut lists = Lists::default();
        lists.read_appending(reader).then_some(lists)
    }

    /// Appends the lists written by [`Lists::write`]; `false` when the bytes are not such lists
    /// (what was appended is then left for the caller to truncate).
    fn read_appending(&mut self, reader: &mut Reader) -> bool {
        let (Some(rows), Some(count)) = (reader.u64(), reader.u64()) else { return false };
        let (rows, count) = (rows as usize, count as usize);
        // the lists' own ends are offsets from their first item, which lands at `base`
        let base = self.items.len();
        // the bytes left must hold them all (no buffer is reserved for counts read from bad bytes)
        let left = reader.bytes.len() - reader.at;
        let fits = rows <= left / 4 && count <= (left - 4 * rows) / std::mem::size_of::<T>();
        if !fits || base + count > u32::MAX as usize {
            return false;
        }
        let start = self.ends.len();
        self.ends.extend((0..rows).map_while(|_| reader.u32()?.checked_add(base as u32)));
        self.items.reserve(count);
        for _ in 0..count {
            let Some(item) = T::read(reader) else { return false };
            self.items.push(item);
        }
        let ends = &self.ends[start..];
        let ordered = ends.windows(2).all(|w| w[0] <= w[1]) && ends.last().is_none_or(|&e| e as usize == base + count);
        ends.len() == rows && ordered && (rows > 0 || count == 0)
    }

    fn lens(&self) -> (usize, usize) {
        (self.items.len(), self.ends.len())
    }

    fn truncate(&mut self, (items, ends): (usize, usize)) {
        self.items.truncate(items);
        self.ends.truncate(ends);
    }
}

/// The numbers stored in [`Lists`].
pub(super) trait Number: Sized {
    fn write(self, out: &mut Vec<u8>);
    fn read(reader: &mut Reader) -> Option<Self>;
}

impl Number for u32 {
    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read(reader: &mut Reader) -> Option<u32> {
        reader.u32()
    }
}

impl Number for u64 {
    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read(reader: &mut Reader) -> Option<u64> {
        reader.u64()
    }
}

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let chunk = self.bytes.get(self.at..self.at + N)?;
        self.at += N;
        chunk.try_into().ok()
    }

    pub(super) fn u32(&mut self) -> Option<u32> {
        self.take::<4>().map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self) -> Option<u64> {
        self.take::<8>().map(u64::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post<'a>(subject: &'a str, body: &'a str) -> IssuePost<'a> {
        IssuePost { subject, body, ..IssuePost::default() }
    }

    #[test]
    fn a_table_read_back_from_its_bytes_is_the_same_table() {
        let posts = [
            post("丽发新城小区旁边建搅拌站噪音扰民", "每天晚上噪音很大，粉尘严重。"),
            post("", ""),
            post("咨询公积金贷款买房问题", "请问公积金贷款额度如何计算"),
        ];
        let (table, _) = compute(&posts, &RecurringConfig::default());
        assert_eq!(table.len(), 3);
        assert_eq!(FeatureTable::from_bytes(&table.to_bytes()), Some(table.clone()));
        let bytes = table.to_bytes();
        assert_eq!(FeatureTable::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(FeatureTable::from_bytes(b"not a table"), None);
    }

    /// The features of two parts: one post, then an empty post and another.
    fn two_parts(config: &RecurringConfig) -> (FeatureTable, FeatureTable) {
        let (first, _) = compute(&[post("丽发新城小区旁边建搅拌站噪音扰民", "每天晚上噪音很大，粉尘严重。")], config);
        let (second, _) =
            compute(&[post("", ""), post("咨询公积金贷款买房问题", "请问公积金贷款额度如何计算")], config);
        (first, second)
    }

    #[test]
    fn the_bytes_of_the_rows_after_a_part_are_those_of_the_next_part_alone() {
        let config = RecurringConfig::default();
        let (first, second) = two_parts(&config);
        let mut joined = FeatureTable::default();
        joined.reserve(3, &config);
        joined.extend(&first);
        joined.extend(&second);

        assert_eq!(joined.rows_to_bytes(0), joined.to_bytes());
        assert_eq!(joined.rows_to_bytes(first.len()), second.to_bytes());
        assert_eq!(joined.rows_to_bytes(joined.len()), FeatureTable::default().to_bytes());
        assert_eq!(FeatureTable::from_bytes(&joined.rows_to_bytes(first.len())), Some(second));
    }

    #[test]
    fn parts_appended_from_their_bytes_are_the_parts_joined_and_bad_bytes_append_nothing() {
        let (first, second) = two_parts(&RecurringConfig::default());
        let mut joined = first.clone();
        joined.extend(&second);

        let mut appended = FeatureTable::default();
        assert!(appended.append_bytes(&first.to_bytes()));
        assert!(appended.append_bytes(&second.to_bytes()));
        assert_eq!(appended, joined);

        // cut short, or one byte too many, or not a table: refused, and nothing of it kept
        let bytes = second.to_bytes();
        let longer = [bytes.as_slice(), &[0]].concat();
        for bad in [&bytes[..bytes.len() - 1], &longer, b"not a table".as_slice()] {
            assert!(!appended.append_bytes(bad));
            assert_eq!(appended, joined);
        }
    }

    #[test]
    fn features_of_parts_joined_are_the_features_of_the_whole() {
        // Posts out of month order (February, January, February, March): the rows stay in the
        // order given, and each post's bigrams are counted in its month.
        let at = |days: i64, p: IssuePost<'static>| IssuePost { posted_at: 1_546_300_800_000 + days * 86_400_000, ..p };
        let posts = [
            at(40, post("丽发新城小区旁边建搅拌站噪音扰民", "每天晚上噪音很大。")),
            at(0, post("A市经济学院学生被强制到企业实习", "不去不发毕业证。")),
            at(41, post("咨询公积金贷款买房问题", "")),
            at(70, post("咨询公积金贷款买房问题", "")),
        ];
        let config = RecurringConfig::default();
        let (whole, whole_counts) = compute(&posts, &config);
        let (mut joined, mut counts) = compute(&posts[..1], &config);
        let (rest, rest_counts) = compute(&posts[1..], &config);
        joined.extend(&rest);
        counts.merge(&rest_counts);
        assert_eq!(joined, whole);
        assert_eq!(counts, whole_counts);
        for (i, post) in posts.iter().enumerate() {
            assert_eq!(compute(std::slice::from_ref(post), &config).0.get(0).text, whole.get(i).text);
        }
        let mut prefix = whole_counts.prefix();
        let (january, february, march) = (2019 * 12, 2019 * 12 + 1, 2019 * 12 + 2);
        assert_eq!(
            [prefix.before(january).docs(), prefix.before(february).docs(), prefix.before(march).docs()],
            [0, 1, 3]
        );
    }
}

//! Column names in Chinese or English (SPEC §2), and what a file holds judged by its header.

use std::fmt;

/// A column the ingest understands. Everything else in a file is ignored and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    PostId,
    ReplyId,
    UserId,
    Subject,
    Body,
    /// Subject and body in one text (`text` in labelled sets): the subject is split off
    /// when the text starts with it.
    FullText,
    PostedAt,
    Reply,
    RepliedAt,
    Likes,
    Dislikes,
    Category,
    Subcategory,
    Leaf,
    /// 承办单位: the unit the post was addressed to.
    Unit,
    /// 答复单位: the unit that replied.
    ReplyUnit,
    Kind,
}

impl Field {
    /// The canonical (English, SPEC) name, used in messages and the quarantine.
    pub fn name(self) -> &'static str {
        match self {
            Field::PostId => "post_id",
            Field::ReplyId => "reply_id",
            Field::UserId => "user_id",
            Field::Subject => "subject",
            Field::Body => "body",
            Field::FullText => "text",
            Field::PostedAt => "posted_at",
            Field::Reply => "reply",
            Field::RepliedAt => "replied_at",
            Field::Likes => "likes",
            Field::Dislikes => "dislikes",
            Field::Category => "category",
            Field::Subcategory => "subcategory",
            Field::Leaf => "leaf_category",
            Field::Unit => "unit",
            Field::ReplyUnit => "reply_unit",
            Field::Kind => "kind",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Header names, Chinese and English, lowercased and without spaces or underscores.
const ALIASES: &[(&str, Field)] = &[
    ("留言编号", Field::PostId),
    ("postid", Field::PostId),
    ("id", Field::PostId),
    ("答复编号", Field::ReplyId),
    ("replyid", Field::ReplyId),
    ("留言用户", Field::UserId),
    ("userid", Field::UserId),
    ("留言主题", Field::Subject),
    ("subject", Field::Subject),
    ("title", Field::Subject),
    ("留言标题", Field::Subject),
    ("留言详情", Field::Body),
    ("留言内容", Field::Body),
    ("body", Field::Body),
    ("text", Field::FullText),
    ("留言时间", Field::PostedAt),
    ("postedat", Field::PostedAt),
    ("留言日期", Field::PostedAt),
    ("答复意见", Field::Reply),
    ("答复内容", Field::Reply),
    ("回复内容", Field::Reply),
    ("回复意见", Field::Reply),
    ("reply", Field::Reply),
    ("replybody", Field::Reply),
    ("答复时间", Field::RepliedAt),
    ("repliedat", Field::RepliedAt),
    ("答复日期", Field::RepliedAt),
    ("回复时间", Field::RepliedAt),
    ("回复日期", Field::RepliedAt),
    ("点赞数", Field::Likes),
    ("likes", Field::Likes),
    ("反对数", Field::Dislikes),
    ("dislikes", Field::Dislikes),
    ("一级分类", Field::Category),
    ("category", Field::Category),
    ("二级分类", Field::Subcategory),
    ("三级分类", Field::Leaf),
    ("承办单位", Field::Unit),
    ("unit", Field::Unit),
    // the unit the post was addressed to, as the platforms call it
    ("留言对象", Field::Unit),
    ("办理单位", Field::Unit),
    ("答复单位", Field::ReplyUnit),
    ("replyunit", Field::ReplyUnit),
    ("回复单位", Field::ReplyUnit),
    ("类型", Field::Kind),
    ("留言类型", Field::Kind),
    ("kind", Field::Kind),
];

/// The headers a field is read from, Chinese first: "留言时间 / 留言日期 / posted_at".
fn header_names(field: Field) -> String {
    let chinese = ALIASES.iter().filter(|(alias, f)| *f == field && !alias.is_ascii()).map(|(alias, _)| *alias);
    chinese.chain([field.name()]).collect::<Vec<_>>().join(" / ")
}

/// How many cells of `row` name a column the ingest knows: a header row names several, a title
/// above it ("某市网络问政平台留言导出（2020年1月）") none.
pub fn known_columns(row: &[String]) -> usize {
    row.iter().filter(|h| ALIASES.iter().any(|(alias, _)| *alias == normalize_header(h))).count()
}

/// A header the ingest knows that an unknown header `h` looks like a slip of ("留言详細" for 留言详情,
/// "点赞" for 点赞数): one character changed, added or left out of a Chinese header. `None` for an
/// unrelated column ("办理状态").
pub fn near_miss(h: &str) -> Option<&'static str> {
    let key: Vec<char> = normalize_header(h).chars().collect();
    if key.len() < 2 || key.iter().all(char::is_ascii) {
        return None;
    }
    ALIASES.iter().map(|(alias, _)| *alias).filter(|alias| !alias.is_ascii()).find(|alias| {
        let alias: Vec<char> = alias.chars().collect();
        match alias.len() as isize - key.len() as isize {
            0 => alias.iter().zip(&key).filter(|(a, b)| a != b).count() == 1,
            1 | -1 => {
                let (long, short) = if alias.len() > key.len() { (&alias, &key) } else { (&key, &alias) };
                (0..long.len())
                    .any(|skip| long.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, c)| c).eq(short.iter()))
            }
            _ => false,
        }
    })
}

fn normalize_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\u{3000}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a file holds, judged by its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One row per post, no reply.
    Posts,
    /// One row per reply (`reply_id, post_id, unit, body, replied_at`).
    Replies,
    /// One row per post with its reply.
    PostsWithReplies,
    /// The category taxonomy (一级分类, 二级分类, 三级分类).
    Taxonomy,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Posts => "posts",
            Layout::Replies => "replies",
            Layout::PostsWithReplies => "posts+replies",
            Layout::Taxonomy => "taxonomy",
        }
    }
}

/// The header of a file, mapped to fields.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// For each column of the file, the field it holds, if any.
    pub fields: Vec<Option<Field>>,
    /// Headers the ingest does not use, reported once per file.
    pub ignored: Vec<String>,
    pub layout: Layout,
}

impl ColumnMap {
    /// Maps a header row. Fails, naming the columns found, when the file is neither posts,
    /// replies nor a taxonomy.
    pub fn from_header(header: &[String]) -> Result<ColumnMap, String> {
        Self::from_header_of(header, false)
    }

    /// [`Self::from_header`]; `keyed`: the header is the keys of JSON lines, where each line may
    /// name a field its own way ("post_id" in one, "留言编号" in the next): the cell of a field is
    /// then the first of its columns that a line fills, not a header naming one field twice.
    pub fn from_header_of(header: &[String], keyed: bool) -> Result<ColumnMap, String> {
        let mut fields = Vec::with_capacity(header.len());
        let mut ignored = Vec::new();
        for h in header {
            let key = normalize_header(h);
            let field = ALIASES.iter().find(|(alias, _)| *alias == key).map(|(_, f)| *f);
            // A replies-only file names its reply text `body`: decided below, once all is known.
            if field.is_none() && !key.is_empty() {
                ignored.push(h.trim().to_string());
            }
            fields.push(field);
        }
        if header.iter().all(|h| normalize_header(h).is_empty()) {
            return Err("the file is empty: it has no header row (留言编号, 留言主题 …) and no rows".to_string());
        }
        // Two columns of one field ("答复时间" twice, or 答复意见 beside 答复内容): reading the first
        // alone quarantined every row whose value sat in the other, as "missing".
        for (i, field) in fields.iter().enumerate().filter(|_| !keyed) {
            let Some(field) = field else { continue };
            if let Some(j) = fields[i + 1..].iter().position(|f| f == &Some(*field)).map(|j| i + 1 + j) {
                return Err(format!(
                    "columns {} ({}) and {} ({}) both hold the {}: delete or rename one of them and ingest again",
                    i + 1,
                    header[i].trim(),
                    j + 1,
                    header[j].trim(),
                    header_names(*field)
                ));
            }
        }
        let has = |f: Field| fields.contains(&Some(f));
        let layout = if has(Field::Category) && has(Field::Subcategory) && has(Field::Leaf) && !has(Field::PostId) {
            Layout::Taxonomy
        } else if has(Field::Reply) && (has(Field::Subject) || has(Field::FullText)) {
            Layout::PostsWithReplies
        } else if has(Field::ReplyId) || (has(Field::RepliedAt) && !has(Field::Subject) && !has(Field::FullText)) {
            // `reply_id, post_id, unit, body, replied_at`: the body is the reply.
            for f in fields.iter_mut() {
                match f {
                    Some(Field::Body) => *f = Some(Field::Reply),
                    Some(Field::Unit) => *f = Some(Field::ReplyUnit),
                    _ => {}
                }
            }
            Layout::Replies
        } else if (has(Field::Subject) || has(Field::FullText)) && has(Field::RepliedAt) {
            // Read as posts alone, its replies would be dropped without a word.
            return Err(format!(
                "its columns ({}) have a reply time but no reply text: name the column of the replies' text \
                 答复意见, 答复内容, 回复内容 or reply (the columns not recognised are listed)",
                header.join(", ")
            ));
        } else if has(Field::Subject) || has(Field::Body) || has(Field::FullText) {
            Layout::Posts
        } else {
            return Err(format!(
                "its columns ({}) are neither posts (留言编号/post_id, 留言主题/subject, 留言详情/body, 留言时间/posted_at), \
                 replies (reply_id, post_id, body, replied_at) nor a taxonomy (一级分类, 二级分类, 三级分类)",
                header.join(", ")
            ));
        };
        let has_text = fields.iter().any(|f| matches!(f, Some(Field::Body | Field::FullText)));
        if matches!(layout, Layout::Posts | Layout::PostsWithReplies) && !has_text {
            tracing::warn!(
                "no column of the posts' text (留言详情 / body): the posts keep their subject (留言主题) alone{}",
                if ignored.is_empty() { String::new() } else { format!("; columns not read: {}", ignored.join(", ")) }
            );
        }
        let map = ColumnMap { fields, ignored, layout };
        map.check_required()?;
        Ok(map)
    }

    /// The columns without which no row of the layout could be kept: a file that lacks one is
    /// refused as a whole, not read into a quarantine of every row with exit 0.
    fn check_required(&self) -> Result<(), String> {
        let required: &[Field] = match self.layout {
            Layout::Posts => &[Field::PostId, Field::PostedAt],
            Layout::Replies => &[Field::PostId, Field::Reply, Field::RepliedAt],
            Layout::PostsWithReplies => &[Field::PostId, Field::PostedAt, Field::Reply, Field::RepliedAt],
            Layout::Taxonomy => &[],
        };
        let missing: Vec<String> =
            required.iter().filter(|f| self.index(**f).is_none()).map(|f| header_names(*f)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("a {} file needs the column(s) {}", self.layout.name(), missing.join("; ")))
        }
    }

    /// The columns holding `field`: one, but for the keys of JSON lines (see
    /// [`Self::from_header_of`]).
    pub fn indices(&self, field: Field) -> impl Iterator<Item = usize> + '_ {
        self.fields.iter().enumerate().filter(move |(_, f)| **f == Some(field)).map(|(i, _)| i)
    }

    /// The column index holding `field`, the first one if several do.
    pub fn index(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout_of(header: &str) -> Result<Layout, String> {
        let header: Vec<String> = header.split(',').map(str::to_string).collect();
        ColumnMap::from_header(&header).map(|m| m.layout)
    }

    #[test]
    fn a_file_without_the_times_its_rows_need_is_refused_naming_the_column() {
        let posts_without_time = layout_of("留言编号,留言用户,留言主题,留言详情").unwrap_err();
        assert!(posts_without_time.contains("留言时间 / 留言日期 / posted_at"), "{posts_without_time}");
        let replies_without_time = layout_of("留言编号,留言主题,留言时间,留言详情,答复意见,承办单位").unwrap_err();
        assert!(replies_without_time.contains("答复时间"), "{replies_without_time}");
        assert!(!replies_without_time.contains("留言时间"), "{replies_without_time}");
        assert!(layout_of("reply_id,post_id,unit,body").unwrap_err().contains("replied_at"));
    }

    #[test]
    fn two_columns_of_one_field_or_an_empty_file_are_refused_naming_them() {
        let twice = layout_of("留言编号,留言主题,留言时间,答复时间,答复意见,答复时间").unwrap_err();
        assert!(twice.starts_with("columns 4 (答复时间) and 6 (答复时间) both hold the 答复时间"), "{twice}");
        let synonyms = layout_of("留言编号,留言主题,留言时间,答复意见,答复内容,答复时间").unwrap_err();
        assert!(synonyms.starts_with("columns 4 (答复意见) and 5 (答复内容) both hold"), "{synonyms}");
        assert!(layout_of("").unwrap_err().starts_with("the file is empty"));
    }

    #[test]
    fn layouts_of_the_real_and_spec_files() {
        assert_eq!(
            layout_of("留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间"),
            Ok(Layout::PostsWithReplies)
        );
        assert_eq!(layout_of("留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数"), Ok(Layout::Posts));
        assert_eq!(layout_of("留言编号,留言用户,留言主题,留言时间,留言详情,一级分类"), Ok(Layout::Posts));
        assert_eq!(
            layout_of("row_index,category,留言编号,留言用户,留言主题,留言时间,text,seg_text"),
            Ok(Layout::Posts)
        );
        assert_eq!(layout_of("一级分类,二级分类,三级分类"), Ok(Layout::Taxonomy));
        assert_eq!(layout_of("post_id,user_id,subject,body,posted_at,unit,kind,likes,dislikes"), Ok(Layout::Posts));
        assert_eq!(layout_of("reply_id,post_id,unit,body,replied_at"), Ok(Layout::Replies));
        assert_eq!(layout_of("\u{feff}Post_ID, Subject ,Body,Posted At"), Ok(Layout::Posts));
    }

    #[test]
    fn a_replies_file_reads_body_as_the_reply_and_unit_as_the_replying_unit() {
        let header: Vec<String> = "reply_id,post_id,unit,body,replied_at".split(',').map(str::to_string).collect();
        let map = ColumnMap::from_header(&header).unwrap();
        assert_eq!(map.index(Field::Reply), Some(3));
        assert_eq!(map.index(Field::ReplyUnit), Some(2));
    }

    #[test]
    fn unknown_files_are_refused_with_their_columns() {
        let err = layout_of("name,age").unwrap_err();
        assert!(err.contains("name, age"), "{err}");
        let err = layout_of("留言主题,留言详情").unwrap_err();
        assert!(err.contains("post_id"), "{err}");
        // a reply time without the reply's text: the replies would be dropped unseen
        let err = layout_of("留言编号,留言主题,留言时间,留言详情,答复正文,答复时间").unwrap_err();
        assert!(err.contains("have a reply time but no reply text") && err.contains("答复正文"), "{err}");
        assert_eq!(layout_of("留言编号,留言主题,留言时间,留言详情,回复意见,答复时间"), Ok(Layout::PostsWithReplies));
    }
}

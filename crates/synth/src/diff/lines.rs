//! A line diff with unified-style hunks, for Kubernetes YAML: the edit script comes from
//! `similar` (Myers, O(ND): files of any length get a real diff), the hunks are drawn here.

use std::hash::Hash;

use similar::{Algorithm, DiffTag, capture_diff_slices};

/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;

/// The diff of `old` and `new` as lines prefixed `-`, `+` or ` `, hunks separated by `@@ line N`
/// headers (N is the first line of the hunk in the new file, from 1).
pub(crate) fn diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    hunks(&ops(&a, &b, &a, &b))
}

/// Like [`diff`], with lines compared by a key (`key_old` for `old`'s lines, `key_new` for
/// `new`'s): lines whose keys are equal are shown unchanged, with `new`'s text.
pub(crate) fn diff_by(
    old: &str,
    new: &str,
    key_old: impl Fn(&str) -> String,
    key_new: impl Fn(&str) -> String,
) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ka: Vec<String> = a.iter().map(|l| key_old(l)).collect();
    let kb: Vec<String> = b.iter().map(|l| key_new(l)).collect();
    hunks(&ops(&a, &b, &ka, &kb))
}

#[derive(Clone, Copy)]
enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

/// The edit script line by line, lines compared by their keys (`ka[i]` for `a[i]`); a replaced
/// range is its deletions, then its additions.
fn ops<'a, K: Hash + Eq + Ord>(a: &[&'a str], b: &[&'a str], ka: &[K], kb: &[K]) -> Vec<Op<'a>> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    for op in capture_diff_slices(Algorithm::Myers, ka, kb) {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => out.extend(b[new].iter().map(|l| Op::Same(l))),
            DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                out.extend(a[old].iter().map(|l| Op::Del(l)));
                out.extend(b[new].iter().map(|l| Op::Add(l)));
            }
        }
    }
    out
}

fn hunks(ops: &[Op<'_>]) -> Vec<String> {
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Op::Same(_)))
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    let mut shown_until = 0; // ops before this index are printed
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT).max(shown_until);
        // Extend the hunk while the next change is within two contexts.
        let mut end = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= end + 2 * CONTEXT + 1 {
            k += 1;
            end = changed[k];
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let new_line = 1 + ops[..start]
            .iter()
            .filter(|o| !matches!(o, Op::Del(_)))
            .count();
        out.push(format!("@@ line {new_line}"));
        for o in &ops[start..end] {
            out.push(match o {
                Op::Same(l) => format!(" {l}"),
                Op::Del(l) => format!("-{l}"),
                Op::Add(l) => format!("+{l}"),
            });
        }
        shown_until = end;
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::diff;

    #[test]
    fn hunks_show_changes_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\n";
        assert_eq!(
            diff(old, new),
            [
                "@@ line 2",
                " b",
                " c",
                "-d",
                "+D",
                " e",
                " f",
                " g",
                " h",
                "+i"
            ]
        );
    }

    #[test]
    fn distant_changes_get_separate_hunks() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "x\n2\n3\n4\n5\n6\n7\n8\ny\n";
        assert_eq!(
            diff(old, new),
            [
                "@@ line 1",
                "-1",
                "+x",
                " 2",
                " 3",
                "@@ line 7",
                " 7",
                " 8",
                "-9",
                "+y"
            ]
        );
    }

    #[test]
    fn long_files_get_a_real_diff() {
        let old: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 12345\n", "line twelve thousand\n");
        assert_eq!(
            diff(&old, &new),
            [
                "@@ line 12344",
                " line 12343",
                " line 12344",
                "-line 12345",
                "+line twelve thousand",
                " line 12346",
                " line 12347"
            ]
        );
    }

    #[test]
    fn equal_text_has_no_hunks() {
        assert!(diff("a\nb\n", "a\nb\n").is_empty());
    }
}

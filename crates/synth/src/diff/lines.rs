//! A line diff (longest common subsequence) with unified-style hunks, for Kubernetes YAML.
//! Written here rather than pulling in a diff crate: the files are small (a few hundred lines).

/// Files longer than this (in lines, either side) are shown as wholly replaced.
const MAX_LINES: usize = 4000;
/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;

/// The diff of `old` and `new` as lines prefixed `-`, `+` or ` `, hunks separated by `@@ line N`
/// headers (N is the first line of the hunk in the new file, from 1).
pub(crate) fn diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = if a.len() > MAX_LINES || b.len() > MAX_LINES {
        a.iter()
            .map(|l| Op::Del(l))
            .chain(b.iter().map(|l| Op::Add(l)))
            .collect()
    } else {
        lcs_ops(&a, &b)
    };
    hunks(&ops)
}

#[derive(Clone, Copy)]
enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

fn lcs_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    // Common prefix and suffix first: most edits are small.
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let (n, m) = (ma.len(), mb.len());
    // table[i][j]: LCS length of ma[i..] and mb[j..].
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * (m + 1) + j] = if ma[i] == mb[j] {
                table[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                table[(i + 1) * (m + 1) + j].max(table[i * (m + 1) + j + 1])
            };
        }
    }
    let mut ops: Vec<Op<'a>> = a[..pre].iter().map(|l| Op::Same(l)).collect();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if ma[i] == mb[j] {
            ops.push(Op::Same(ma[i]));
            i += 1;
            j += 1;
        } else if table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1] {
            ops.push(Op::Del(ma[i]));
            i += 1;
        } else {
            ops.push(Op::Add(mb[j]));
            j += 1;
        }
    }
    ops.extend(ma[i..].iter().map(|l| Op::Del(l)));
    ops.extend(mb[j..].iter().map(|l| Op::Add(l)));
    ops.extend(a[a.len() - suf..].iter().map(|l| Op::Same(l)));
    ops
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
    fn equal_text_has_no_hunks() {
        assert!(diff("a\nb\n", "a\nb\n").is_empty());
    }
}

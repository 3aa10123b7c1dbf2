//! Issue "a layout that shows the pipeline": no circle of imports between
//! the files of `src/`. Every `crate::…` path (and `super::…` inside a
//! folder) outside comments and test modules is an edge from its file to
//! the module file it names; a strongly connected set of more than one
//! file is a circle, and fails this test with the links that close it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name (`db/mysql`, `error`) → the text of its file, comments and
/// `#[cfg(test)] mod tests` left out.
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    let mut todo = vec![root.clone()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap().with_extension("");
            let mut name = relative.to_string_lossy().replace('\\', "/");
            if let Some(folder) = name.strip_suffix("/mod") {
                name = folder.to_owned();
            }
            if name == "lib" || name == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let code: String = code
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            found.insert(name, code);
        }
    }
    found
}

/// The module a path such as `db::rows::push` names: its longest prefix
/// that is a module file.
fn module_of(path: &[&str], names: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("/"))
        .find(|candidate| names.contains(candidate))
}

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut edges = BTreeMap::new();
    for (name, code) in &modules {
        let mut to = BTreeSet::new();
        for (prefix, base) in [
            ("crate::", None),
            ("super::", name.rsplit_once('/').map(|(p, _)| p)),
        ] {
            if prefix == "super::" && base.is_none() {
                continue;
            }
            let mut rest = code.as_str();
            while let Some(at) = rest.find(prefix) {
                let tail = &rest[at + prefix.len()..];
                let path: String = tail.chars().take_while(|c| word(*c)).collect();
                let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
                // `use super::{a, b}` / `use crate::{a::x, b}`: each item.
                let group = tail[path.len()..].starts_with('{');
                let mut paths: Vec<Vec<String>> = Vec::new();
                if group {
                    let inner: String = tail[path.len() + 1..]
                        .chars()
                        .take_while(|c| *c != '}')
                        .collect();
                    for item in inner.split(',') {
                        let item: String = item.trim().chars().take_while(|c| word(*c)).collect();
                        let mut full: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                        full.extend(
                            item.split("::")
                                .filter(|p| !p.is_empty())
                                .map(str::to_owned),
                        );
                        paths.push(full);
                    }
                } else {
                    paths.push(parts.drain(..).map(str::to_owned).collect());
                }
                for path in paths {
                    let mut full: Vec<String> =
                        base.map(|b| vec![b.to_owned()]).unwrap_or_default();
                    full.extend(path);
                    let full: Vec<&str> = full.iter().map(String::as_str).collect();
                    if let Some(target) = module_of(&full, &names) {
                        if &target != name {
                            to.insert(target);
                        }
                    }
                }
                rest = &tail[path.len()..];
            }
        }
        edges.insert(name.clone(), to);
    }
    edges
}

/// Strongly connected sets of more than one module (Tarjan, iterative).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = edges.keys().collect();
    let index_of: BTreeMap<&String, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let next: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges[*n]
                .iter()
                .filter_map(|t| index_of.get(t).copied())
                .collect()
        })
        .collect();
    let (mut index, mut low) = (vec![usize::MAX; nodes.len()], vec![0; nodes.len()]);
    let (mut on, mut stack, mut found) = (vec![false; nodes.len()], Vec::new(), Vec::new());
    let mut counter = 0;
    for start in 0..nodes.len() {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some((v, child)) = work.pop() {
            if child == 0 {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on[v] = true;
            }
            if let Some(&w) = next[v].get(child) {
                work.push((v, child + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                let mut set = Vec::new();
                loop {
                    let w = stack.pop().unwrap();
                    on[w] = false;
                    set.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                if set.len() > 1 {
                    set.sort();
                    found.push(set);
                }
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    found
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let edges = edges();
    assert!(edges.len() > 30, "found {} modules", edges.len());
    assert!(edges["db/mysql"].contains("error"), "the scan sees imports");
    let found = circles(&edges);
    let shown: Vec<String> = found
        .iter()
        .map(|set| {
            let links: Vec<String> = set
                .iter()
                .flat_map(|a| {
                    edges[a]
                        .iter()
                        .filter(|b| set.contains(b))
                        .map(move |b| format!("{a} → {b}"))
                })
                .collect();
            format!("{}: {}", set.join(", "), links.join("; "))
        })
        .collect();
    assert!(found.is_empty(), "import circles:\n{}", shown.join("\n"));
}

/// The scan itself finds a circle when there is one.
#[test]
fn the_circle_check_sees_a_circle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges.entry(a.into()).or_default().insert(b.into());
        edges.entry(b.into()).or_default();
    }
    assert_eq!(circles(&edges), [["a", "b", "c"]]);
}

/// Between folders too: `read/`, `judge/`, `run/`, `sinks/`, `show/`,
/// `db/`, `cmd/` and the root files, each taken as one node.
#[test]
fn no_folder_imports_one_that_imports_it_back() {
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges() {
        let top = |m: &str| m.split('/').next().unwrap().to_owned();
        let entry = folders.entry(top(&from)).or_default();
        entry.extend(to.iter().map(|t| top(t)).filter(|t| *t != top(&from)));
    }
    assert!(folders.contains_key("read") && folders.contains_key("judge"));
    let found = circles(&folders);
    assert!(found.is_empty(), "folder circles: {found:?}");
}

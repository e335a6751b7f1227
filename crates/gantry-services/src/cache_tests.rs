#![allow(clippy::unwrap_used)]

use super::*;

const V: &str = "b34e6f1c";
const MAIN: &str = "refs/heads/main";
const FEATURE: &str = "refs/heads/feature";

struct Fixture {
    dir: tempfile::TempDir,
    store: CacheStore,
    n: u32,
}

fn fixture(limits: CacheLimits) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = CacheStore::open(dir.path(), "octo/hello", limits).unwrap();
    Fixture { dir, store, n: 0 }
}

impl Fixture {
    /// Saves `content` under (scope, key, version); entries saved later are
    /// newer.
    fn save(&mut self, scope: &str, key: &str, version: &str, content: &str) -> CacheEntry {
        self.n += 1;
        let tmp = self.dir.path().join(format!("upload-{}", self.n));
        fs::write(&tmp, content).unwrap();
        std::thread::sleep(Duration::from_millis(3));
        self.store.commit(scope, key, version, &tmp, None).unwrap()
    }

    fn lookup(&self, keys: &[&str], version: &str, scopes: &[&str]) -> Option<String> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let scopes: Vec<String> = scopes.iter().map(|k| k.to_string()).collect();
        let e = self.store.lookup(&keys, version, &scopes).unwrap()?;
        Some(fs::read_to_string(self.store.blob_path(&e.digest)).unwrap())
    }
}

#[test]
fn exact_key_wins_over_newer_prefix_matches() {
    let mut f = fixture(CacheLimits::default());
    f.save(MAIN, "npm-linux-abc", V, "exact");
    f.save(MAIN, "npm-linux-abcdef", V, "newer prefix");
    assert_eq!(
        f.lookup(&["npm-linux-abc", "npm-"], V, &[MAIN]).as_deref(),
        Some("exact")
    );
}

#[test]
fn restore_keys_are_prefixes_in_order_newest_first() {
    let mut f = fixture(CacheLimits::default());
    f.save(MAIN, "npm-linux-old", V, "linux old");
    f.save(MAIN, "npm-linux-new", V, "linux new");
    f.save(MAIN, "npm-macos-newest", V, "macos");
    // The first restore key that matches anything wins, newest among its matches.
    assert_eq!(
        f.lookup(&["npm-linux-zzz", "npm-linux-", "npm-"], V, &[MAIN])
            .as_deref(),
        Some("linux new")
    );
    // The broader key alone takes the newest overall.
    assert_eq!(
        f.lookup(&["npm-windows-1", "npm-"], V, &[MAIN]).as_deref(),
        Some("macos")
    );
    // The primary key is itself a prefix too.
    assert_eq!(
        f.lookup(&["npm-linux-o"], V, &[MAIN]).as_deref(),
        Some("linux old")
    );
    assert_eq!(f.lookup(&["pip-", "yarn-"], V, &[MAIN]), None);
    // Keys are case-sensitive.
    assert_eq!(f.lookup(&["NPM-"], V, &[MAIN]), None);
}

#[test]
fn version_must_match() {
    let mut f = fixture(CacheLimits::default());
    f.save(MAIN, "deps-1", "other-version", "gzip");
    assert_eq!(f.lookup(&["deps-1", "deps-"], V, &[MAIN]), None);
    f.save(MAIN, "deps-1", V, "zstd");
    assert_eq!(f.lookup(&["deps-1"], V, &[MAIN]).as_deref(), Some("zstd"));
    assert_eq!(
        f.lookup(&["deps-1"], "other-version", &[MAIN]).as_deref(),
        Some("gzip")
    );
}

#[test]
fn branch_scope_falls_back_in_order() {
    let mut f = fixture(CacheLimits::default());
    f.save(MAIN, "deps-main", V, "main");
    f.save("refs/heads/other", "deps-other", V, "other branch");
    let scopes = [FEATURE, MAIN];
    // Nothing on the feature branch: the default branch's entry.
    assert_eq!(
        f.lookup(&["deps-x", "deps-"], V, &scopes).as_deref(),
        Some("main")
    );
    // Another branch's caches are never visible.
    assert_eq!(
        f.lookup(&["deps-other", "deps-"], V, &scopes).as_deref(),
        Some("main")
    );
    assert_eq!(f.lookup(&["deps-other"], V, &[FEATURE]), None);
    // The current branch wins, even with an older prefix match against an
    // exact match on the default branch.
    f.save(FEATURE, "deps-feat", V, "feature");
    assert_eq!(
        f.lookup(&["deps-main", "deps-"], V, &scopes).as_deref(),
        Some("feature")
    );
    // A pull request: its merge ref, then the base branch, then the default.
    f.save("refs/heads/release", "deps-release", V, "base");
    let pr = ["refs/pull/7/merge", "refs/heads/release", MAIN];
    assert_eq!(f.lookup(&["deps-"], V, &pr).as_deref(), Some("base"));
}

#[test]
fn saving_an_existing_key_is_refused_per_scope() {
    let mut f = fixture(CacheLimits::default());
    f.save(MAIN, "k", V, "first");
    let tmp = f.dir.path().join("again");
    fs::write(&tmp, "second").unwrap();
    let err = f.store.commit(MAIN, "k", V, &tmp, None).unwrap_err();
    assert!(matches!(err, StoreError::CacheExists { .. }), "{err}");
    assert_eq!(f.lookup(&["k"], V, &[MAIN]).as_deref(), Some("first"));
    // The same key from another branch, or with another version, is new.
    f.save(FEATURE, "k", V, "feature");
    f.save(MAIN, "k", "v2", "v2");
    assert_eq!(f.store.entries().unwrap().len(), 3);
}

#[test]
fn identical_archives_share_one_blob() {
    let mut f = fixture(CacheLimits::default());
    let a = f.save(MAIN, "a", V, "same bytes");
    let b = f.save(MAIN, "b", V, "same bytes");
    assert_eq!(a.digest, b.digest);
    f.store.remove(&a).unwrap();
    assert!(f.store.blob_path(&b.digest).exists());
    f.store.remove(&b).unwrap();
    assert!(!f.store.blob_path(&b.digest).exists());
}

#[test]
fn eviction_by_size_removes_least_recently_used() {
    let mut f = fixture(CacheLimits {
        max_total_bytes: 25,
        max_unused: DEFAULT_MAX_UNUSED,
    });
    let a = f.save(MAIN, "a", V, "0123456789");
    f.save(MAIN, "b", V, "abcdefghij");
    // `a` used after `b` was saved: `b` is now the least recently used.
    f.store.touch(&a, now_ms() + 1000).unwrap();
    f.save(MAIN, "c", V, "ABCDEFGHIJ");
    let mut keys: Vec<String> = f
        .store
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    keys.sort();
    assert_eq!(keys, ["a", "c"]);
    // Its blob went with it.
    let blobs = Cas::new(
        f.store
            .blob_path("00")
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .to_path_buf(),
    )
    .list()
    .unwrap();
    assert_eq!(blobs.len(), 2);
}

#[test]
fn eviction_after_seven_days_unused() {
    let mut f = fixture(CacheLimits::default());
    let old = f.save(MAIN, "old", V, "old");
    let fresh = f.save(MAIN, "fresh", V, "fresh");
    let day = 24 * 3600 * 1000;
    let now = now_ms() + 8 * day;
    f.store.touch(&fresh, now - day).unwrap();
    let evicted = f.store.evict(now).unwrap();
    assert_eq!(evicted.len(), 1);
    assert_eq!(evicted[0].key, "old");
    assert!(!f.store.blob_path(&old.digest).exists());
    assert!(f.store.blob_path(&fresh.digest).exists());
}

#[test]
fn writes_are_atomic_and_leftovers_invisible() {
    let mut f = fixture(CacheLimits::default());
    f.save(MAIN, "k", V, "data");
    let entries_dir = f
        .dir
        .path()
        .join("cache")
        .join(repo_dir_name("octo/hello"))
        .join("entries");
    // A crash mid-write leaves only a dot-file temporary: never listed.
    fs::write(entries_dir.join(".tmp-deadbeef"), "{\"half").unwrap();
    assert_eq!(f.store.entries().unwrap().len(), 1);
    // No temporary remains after a successful commit.
    let names: Vec<String> = fs::read_dir(&entries_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".tmp-deadbeef"))
        .collect();
    assert_eq!(names.len(), 1);
    assert!(names[0].ends_with(".json"));
    // A blob no entry names (a crash between blob and entry) is removed once old.
    let orphan = f.dir.path().join("orphan");
    fs::write(&orphan, "orphan").unwrap();
    let cas = Cas::new(
        f.dir
            .path()
            .join("cache")
            .join(repo_dir_name("octo/hello"))
            .join("blobs"),
    );
    let (sha, _) = cas.insert_file(&orphan).unwrap();
    f.store.evict(now_ms()).unwrap();
    assert!(cas.path(&sha).exists(), "young orphans are kept");
    f.store.evict(now_ms() + 2 * ORPHAN_GRACE_MS).unwrap();
    assert!(!cas.path(&sha).exists());
}

#[test]
fn repo_names_are_safe_directory_names() {
    assert!(repo_dir_name("octo/hello").starts_with("octo_hello-"));
    assert_ne!(repo_dir_name("a/b"), repo_dir_name("a_b"));
    assert!(!repo_dir_name("../..").contains('/'));
    assert_eq!(branch_ref("main"), "refs/heads/main");
    assert_eq!(branch_ref("refs/tags/v1"), "refs/tags/v1");
}

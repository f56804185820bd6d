//! Gives back the library pages Earshot holds but does not use while it waits in the tray.
//!
//! A window, once opened, leaves the app process mapping the pages of WebKit, JavaScriptCore
//! and Mesa's LLVM it read (about 75 MiB measured), and a hidden start maps GTK's and Mesa's
//! start-up pages (about 45 MiB): clean copies of library files, which the kernel would
//! drop only under memory pressure. Released here, they stay in the page cache and come back
//! on the next touch (a minor fault, from memory), so the tray costs what it really uses.
//!
//! Only pages that are still the file's own are released: mappings that cannot be written,
//! and within them only the pages `/proc/self/pagemap` reports as file pages. A page the
//! process changed (relocations applied at load, for instance) is an anonymous copy and is
//! never touched, so nothing the process wrote can be lost.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::unix::fs::FileExt;

/// What one release gave back.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    pub pages: usize,
    pub bytes: usize,
}

/// `/proc/self/pagemap` flags (Documentation/admin-guide/mm/pagemap.rst).
const PRESENT: u64 = 1 << 63;
const FILE_PAGE: u64 = 1 << 61;

/// Releases every resident, unmodified page of the read-only file mappings.
pub fn release_clean_file_pages() -> io::Result<Released> {
    let page = rustix::param::page_size();
    let pagemap = File::open("/proc/self/pagemap")?;
    let mut released = Released::default();
    for mapping in read_only_file_mappings()? {
        for (start, pages) in file_page_runs(&pagemap, mapping, page)? {
            // Read again just before: the window in which the answer could change is as
            // small as it can be (a library unloaded and anonymous memory mapped in its place
            // by another thread in between; nothing of the kind runs while Earshot idles).
            let unchanged = file_page_runs(&pagemap, (start, start + pages * page), page)?;
            if unchanged.first() != Some(&(start, pages)) {
                continue;
            }
            #[expect(
                unsafe_code,
                reason = "madvise has no safe form; the range holds only pages identical to \
                          their file, which MADV_DONTNEED drops and the next access reads again"
            )]
            // SAFETY: `start..start + pages * page` lies in a mapping of this process that is
            // not writable, and every page in it is an unmodified page of the mapped file
            // (checked just above). MADV_DONTNEED on such pages of a private file mapping
            // only unmaps them: the next access maps the same file contents again.
            let advised = unsafe {
                rustix::mm::madvise(
                    start as *mut std::ffi::c_void,
                    pages * page,
                    rustix::mm::Advice::LinuxDontNeed,
                )
            };
            if advised.is_ok() {
                released.pages += pages;
                released.bytes += pages * page;
            }
        }
    }
    Ok(released)
}

/// The address ranges of private file mappings without write permission (library code and
/// read-only data), from `/proc/self/maps`.
fn read_only_file_mappings() -> io::Result<Vec<(usize, usize)>> {
    let maps = BufReader::new(File::open("/proc/self/maps")?);
    let mut mappings = Vec::new();
    for line in maps.lines() {
        let line = line?;
        // "start-end perms offset dev inode path"
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        let path = fields.nth(3).unwrap_or("");
        let regular_file = path.starts_with('/') && !path.starts_with("/dev/");
        if !regular_file || perms.as_bytes().get(1) == Some(&b'w') || !perms.ends_with('p') {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        if let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) {
            mappings.push((start, end));
        }
    }
    Ok(mappings)
}

/// The runs of resident file pages in `(start, end)`, as (first address, page count).
fn file_page_runs(
    pagemap: &File,
    (start, end): (usize, usize),
    page: usize,
) -> io::Result<Vec<(usize, usize)>> {
    let count = (end - start) / page;
    let mut entries = vec![0u8; count * 8];
    pagemap.read_exact_at(&mut entries, (start / page * 8) as u64)?;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (index, entry) in entries.chunks_exact(8).enumerate() {
        let flags = u64::from_le_bytes(entry.try_into().unwrap_or_default());
        if flags & (PRESENT | FILE_PAGE) != PRESENT | FILE_PAGE {
            continue;
        }
        let address = start + index * page;
        match runs.last_mut() {
            Some((first, pages)) if *first + *pages * page == address => *pages += 1,
            _ => runs.push((address, 1)),
        }
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resident_file_kib() -> u64 {
        let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").expect("smaps_rollup");
        let field = |name: &str| -> u64 {
            rollup
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        };
        field("Rss:") - field("Anonymous:")
    }

    #[test]
    fn releases_library_pages_and_keeps_what_the_process_changed() {
        // Relocated data (vtables, function pointers) lives in read-only pages the loader
        // wrote to: they must survive, or the calls through them below would crash.
        let greeting: Box<dyn Fn(&str) -> String> = Box::new(|name| format!("hello {name}"));
        let error: Box<dyn std::error::Error> = "before".into();
        let before = resident_file_kib();

        let released = release_clean_file_pages().expect("release");

        let after = resident_file_kib();
        assert!(released.pages > 0, "the test binary's code was resident");
        assert!(
            after < before,
            "file pages resident: {before} KiB → {after} KiB"
        );
        assert_eq!(greeting("there"), "hello there");
        assert_eq!(error.to_string(), "before");
        let mut sorted = vec![3, 1, 2];
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            [1, 2, 3],
            "library code runs again after its pages went"
        );
    }

    #[test]
    fn only_file_pages_are_in_runs() {
        let pagemap = File::open("/proc/self/pagemap").expect("pagemap");
        let page = rustix::param::page_size();
        // The heap is anonymous: no run in it, whatever is resident.
        let heap = vec![7u8; 64 * page];
        let start = (heap.as_ptr() as usize).div_ceil(page) * page;
        let runs = file_page_runs(&pagemap, (start, start + 32 * page), page).expect("runs");
        assert!(runs.is_empty(), "{runs:?}");
        assert_eq!(heap[page * 40], 7);
    }
}

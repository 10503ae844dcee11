//! Comparing Compute resource links: the same resource may be named through
//! `www.googleapis.com`, `compute.googleapis.com`, `/compute/beta/`, a simulator's
//! host, or as a partial path. Everything from `projects/` on is what counts.

/// The part of a link from `projects/` on, or the link itself without a leading `/`.
pub fn resource_path(link: &str) -> &str {
    match link.find("projects/") {
        Some(start) => &link[start..],
        None => link.trim_start_matches('/'),
    }
}

/// Whether two links name the same resource.
pub fn same_resource(a: &str, b: &str) -> bool {
    resource_path(a) == resource_path(b)
}

/// The resource's name: the last path segment.
pub fn resource_name(link: &str) -> &str {
    link.rsplit('/').next().unwrap_or(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_through_other_hosts_and_versions_name_the_same_resource() {
        assert!(same_resource(
            "https://www.googleapis.com/compute/v1/projects/p/zones/z/instanceGroups/g",
            "http://127.0.0.1:9/compute/v1/projects/p/zones/z/instanceGroups/g"
        ));
        assert!(same_resource(
            "https://www.googleapis.com/compute/beta/projects/p/zones/z/instanceGroups/g",
            "projects/p/zones/z/instanceGroups/g"
        ));
        assert!(!same_resource(
            "projects/p/zones/z/instanceGroups/g",
            "projects/p/zones/z/instanceGroups/h"
        ));
        assert_eq!(resource_name("projects/p/global/urlMaps/m"), "m");
    }
}

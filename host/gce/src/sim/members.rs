//! What an operator does to a managed group's members: deleteInstances,
//! recreateInstances, abandonInstances and setInstanceTemplate. Members are
//! named by full or partial URL (`zones/{z}/instances/{name}`) or bare name; a
//! URL into another zone, or a name that is not a live member, is refused with
//! 400 naming the `instances[i]` field, as Compute does (deleteInstances may
//! skip non-members instead).

use super::error::SimError;
use super::groups::SimGroup;
use super::state::{SELF_LINK_BASE, SimState, new_fingerprint};

/// Resolves `links` to indexes of live members of `group`; with `skip`,
/// non-members are left out rather than refused (malformed or foreign-zone
/// URLs are refused either way).
fn resolve(group: &SimGroup, links: &[String], skip: bool) -> Result<Vec<usize>, SimError> {
    let zone = group.instance_zone();
    let mut chosen = Vec::new();
    for (index, link) in links.iter().enumerate() {
        let refuse = |why: &str| {
            SimError::invalid(format!(
                "Invalid value for field 'resource.instances[{index}]': '{link}'. {why}"
            ))
        };
        let path = crate::links::resource_path(link);
        let name = match path.rsplit_once("/instances/") {
            Some((scope, name)) => {
                if crate::links::resource_name(scope) != zone || !scope.contains("zones/") {
                    return Err(refuse(&format!(
                        "The instance is not in zone '{zone}' of managed instance group '{}'.",
                        group.name
                    )));
                }
                name
            }
            None if !path.is_empty() && !path.contains('/') => path,
            None => return Err(refuse("The URL is malformed.")),
        };
        match group
            .instances
            .iter()
            .position(|i| i.name == name && i.is_live())
        {
            Some(found) if !chosen.contains(&found) => chosen.push(found),
            Some(_) => {}
            None if skip => {}
            None => {
                return Err(refuse(&format!(
                    "Instance '{name}' is not a member of managed instance group '{}' or is being deleted or abandoned.",
                    group.name
                )));
            }
        }
    }
    Ok(chosen)
}

impl SimState {
    /// instanceGroupManagers.deleteInstances: marks the named members
    /// DELETING and lowers the target size by their number.
    pub fn delete_group_instances(
        &mut self,
        scope_path: &str,
        name: &str,
        instances: &[String],
        skip_invalid: bool,
    ) -> Result<String, SimError> {
        let now = std::time::Instant::now();
        let group = self.group_mut(scope_path, name)?;
        let chosen = resolve(group, instances, skip_invalid)?;
        for &index in &chosen {
            group.instances[index].deleting_since = Some(now);
        }
        group
            .instances
            .retain(|i| i.is_live() || i.failure.is_none());
        group.target_size = group.target_size.saturating_sub(chosen.len() as u32);
        group.fingerprint = new_fingerprint();
        Ok(group.id.clone())
    }

    /// instanceGroupManagers.recreateInstances: each named member is deleted
    /// and created again under its name from the group's current template,
    /// reporting RECREATING until it runs. The target size stays.
    pub fn recreate_group_instances(
        &mut self,
        scope_path: &str,
        name: &str,
        instances: &[String],
    ) -> Result<String, SimError> {
        let zone = self.group_mut(scope_path, name)?.instance_zone();
        let failure = self.faults.creation_failure(&zone);
        let group = self.group_mut(scope_path, name)?;
        let chosen = resolve(group, instances, false)?;
        let template = group.current_template();
        for &index in &chosen {
            group.instances[index].recreate(template.clone(), failure.clone());
        }
        group.fingerprint = new_fingerprint();
        Ok(group.id.clone())
    }

    /// instanceGroupManagers.abandonInstances: the named members leave the
    /// group, which lowers its target size by their number; the VMs stay in
    /// their zone's instances collection (those that never got created go).
    pub fn abandon_group_instances(
        &mut self,
        scope_path: &str,
        name: &str,
        instances: &[String],
    ) -> Result<String, SimError> {
        let group = self.group_mut(scope_path, name)?;
        let mut chosen = resolve(group, instances, false)?;
        chosen.sort_unstable_by(|a, b| b.cmp(a));
        let zone_path = group.instance_zone_path();
        let left: Vec<_> = chosen
            .iter()
            .map(|&index| group.instances.remove(index))
            .collect();
        group.target_size = group.target_size.saturating_sub(left.len() as u32);
        group.fingerprint = new_fingerprint();
        let id = group.id.clone();
        for vm in left.into_iter().filter(|vm| vm.failure.is_none()) {
            self.adopt_abandoned(&zone_path, vm);
        }
        Ok(id)
    }

    /// instanceGroupManagers.setInstanceTemplate: new VMs come from
    /// `template` (which must exist); existing ones keep theirs until
    /// recreated, so the group's `versionTarget` is not reached until then.
    pub fn set_group_template(
        &mut self,
        scope_path: &str,
        name: &str,
        template: Option<&str>,
    ) -> Result<String, SimError> {
        self.group_mut(scope_path, name)?;
        let template = template
            .filter(|link| !link.is_empty())
            .ok_or_else(|| SimError::required("resource.instanceTemplate"))?;
        let path = crate::links::resource_path(template);
        let (collection, template_name) = path
            .rsplit_once('/')
            .filter(|(collection, _)| collection.ends_with("/instanceTemplates"))
            .ok_or_else(|| {
                SimError::invalid(format!(
                    "Invalid value for field 'resource.instanceTemplate': '{template}'. The URL is malformed."
                ))
            })?;
        self.get(collection, template_name)?;
        let link = format!("{SELF_LINK_BASE}{path}");
        let group = self.group_mut(scope_path, name)?;
        group
            .body
            .insert("instanceTemplate".to_owned(), link.clone().into());
        if group.body.contains_key("versions") {
            group.body.insert(
                "versions".to_owned(),
                serde_json::json!([{"instanceTemplate": link}]),
            );
        }
        group.fingerprint = new_fingerprint();
        Ok(group.id.clone())
    }
}

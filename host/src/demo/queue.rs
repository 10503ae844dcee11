//! [`QueueModel`]: the demo's backlog of work for the instance group. Work
//! arrives along a fixed curve — quiet, a surge, quiet again — and each
//! running instance completes a fixed amount per step.

/// Work one running instance completes per step.
pub const WORK_PER_INSTANCE: f64 = 100.0;

/// The backlog and the step it is at.
#[derive(Debug, Clone, Default)]
pub struct QueueModel {
    step: u64,
    depth: f64,
}

impl QueueModel {
    /// Work arriving at `step`: 150 per step, 900 during steps 8..20.
    pub fn arrivals(step: u64) -> f64 {
        if (8..20).contains(&step) {
            900.0
        } else {
            150.0
        }
    }

    /// Queued work now: the backlog plus what arrives this step.
    pub fn depth(&self) -> f64 {
        self.depth + Self::arrivals(self.step)
    }

    /// One step: this step's arrivals join the backlog, `running` instances
    /// work it off.
    pub fn step(&mut self, running: u32) {
        let done = f64::from(running) * WORK_PER_INSTANCE;
        self.depth = (self.depth() - done).max(0.0);
        self.step += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_surge_builds_a_backlog_that_capacity_works_off() {
        let mut queue = QueueModel::default();
        for _ in 0..8 {
            queue.step(3);
        }
        assert_eq!(queue.depth(), 900.0, "no backlog while 3 instances keep up");
        queue.step(3);
        assert_eq!(queue.depth(), 600.0 + 900.0);
        for _ in 9..20 {
            queue.step(10);
        }
        assert_eq!(queue.depth(), 150.0, "10 instances clear the surge");
    }
}

//! [`MemorySlots`]: the in-process task slots (a counting semaphore), the default when
//! `max_in_flight_tasks` is set and no other slots were given.

use std::sync::{Arc, Condvar, Mutex};

use kling_core::TaskSlot;
use kling_core::fleet::TaskSlots;
use kling_errors::Error;

/// Task slots of one process: `limit` permits, shared by clones.
#[derive(Debug, Clone)]
pub struct MemorySlots(Arc<Free>);

#[derive(Debug)]
struct Free {
    count: Mutex<usize>,
    available: Condvar,
}

/// A held permit, given back when dropped.
struct Permit(Arc<Free>);

impl MemorySlots {
    /// `limit` slots (at least one).
    pub fn new(limit: usize) -> Self {
        Self(Arc::new(Free {
            count: Mutex::new(limit.max(1)),
            available: Condvar::new(),
        }))
    }
}

impl TaskSlots for MemorySlots {
    fn acquire(&self) -> Result<TaskSlot, Error> {
        let mut free = self.0.count.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self
                .0
                .available
                .wait(free)
                .unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Ok(TaskSlot::holding(Permit(self.0.clone())))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        *self.0.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.available.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_given_back_when_dropped() {
        let slots = MemorySlots::new(1);
        let held = slots.acquire().unwrap();
        let other = slots.clone();
        let waiter = std::thread::spawn(move || other.acquire().map(drop));
        drop(held);
        waiter.join().unwrap().unwrap();
        drop(slots.acquire().unwrap());
    }
}

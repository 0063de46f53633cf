//! Shards: the part of a sweep one process runs, `run_id % count == index`, from `--shard I/N`
//! or from a cluster's array-job variables.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    pub fn new(index: u64, count: u64) -> Result<Self, String> {
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: needs 0 <= I < N"));
        }
        Ok(Self { index, count })
    }

    pub fn contains(&self, run_id: u64) -> bool {
        run_id % self.count == self.index
    }

    /// Runs of a sweep of `total` runs in this shard.
    pub fn runs(&self, total: u64) -> u64 {
        total / self.count + u64::from(total % self.count > self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`, e.g. `3/16`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}`: expected I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (i, n) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        Shard::new(i, n).map_err(|_| bad())
    }
}

/// The shard given by the environment of a cluster array job, and the variable it came from:
/// SLURM (`SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT`, normalised by
/// `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_STEP`), or a Kubernetes indexed Job
/// (`JOB_COMPLETION_INDEX`, with the count in `JOB_COMPLETIONS`, which the Job must set).
/// `None` outside an array job.
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<(Shard, &'static str)>, String> {
    let num = |name: &str| -> Result<Option<u64>, String> {
        var(name)
            .map(|v| v.trim().parse::<u64>().map_err(|_| format!("{name}={v:?} is not a whole number")))
            .transpose()
    };
    if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        let count = num("SLURM_ARRAY_TASK_COUNT")?
            .ok_or("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard I/N")?;
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let index =
            id.checked_sub(min).ok_or(format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}"))?;
        if index % step != 0 {
            return Err(format!(
                "SLURM_ARRAY_TASK_ID={id} is not SLURM_ARRAY_TASK_MIN={min} plus a multiple of \
                 SLURM_ARRAY_TASK_STEP={step}; pass --shard I/N"
            ));
        }
        let shard = Shard::new(index / step, count)
            .map_err(|e| format!("from SLURM_ARRAY_TASK_* ({e}); for an array that is not 0..N-1, pass --shard I/N"))?;
        return Ok(Some((shard, "SLURM_ARRAY_TASK_ID")));
    }
    if let Some(index) = num("JOB_COMPLETION_INDEX")? {
        let count = num("JOB_COMPLETIONS")?
            .ok_or("JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not; set it in the Job or pass --shard I/N")?;
        let shard = Shard::new(index, count).map_err(|e| format!("from JOB_COMPLETION_INDEX: {e}"))?;
        return Ok(Some((shard, "JOB_COMPLETION_INDEX")));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn parses_i_of_n_and_rejects_nonsense() {
        assert_eq!("3/16".parse::<Shard>().unwrap(), Shard { index: 3, count: 16 });
        for bad in ["16/16", "1/0", "x/2", "2", "-1/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_the_runs() {
        let total = 23;
        let shards: Vec<Shard> = (0..4).map(|i| Shard::new(i, 4).unwrap()).collect();
        for id in 0..total {
            assert_eq!(shards.iter().filter(|s| s.contains(id)).count(), 1);
        }
        assert_eq!(shards.iter().map(|s| s.runs(total)).sum::<u64>(), total);
        assert_eq!(shards[2].runs(total), (0..total).filter(|&i| shards[2].contains(i)).count() as u64);
    }

    #[test]
    fn slurm_array_ids_are_normalised_by_min_and_step() {
        let e = env(&[
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]);
        assert_eq!(from_env(e).unwrap().unwrap().0, Shard { index: 3, count: 4 });
        let e = env(&[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "3")]);
        assert_eq!(from_env(e).unwrap().unwrap().0, Shard { index: 2, count: 3 });
        assert!(from_env(env(&[("SLURM_ARRAY_TASK_ID", "2")])).is_err());
        // An id off the array's step, or past its count (a rerun of some tasks), is refused.
        let off_step = [("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_STEP", "10")];
        assert!(from_env(env(&off_step)).unwrap_err().contains("--shard"));
        let subset = [("SLURM_ARRAY_TASK_ID", "7"), ("SLURM_ARRAY_TASK_COUNT", "2"), ("SLURM_ARRAY_TASK_MIN", "3")];
        assert!(from_env(env(&subset)).unwrap_err().contains("--shard"));
        let e = env(&[("JOB_COMPLETION_INDEX", "1"), ("JOB_COMPLETIONS", "5")]);
        assert_eq!(from_env(e).unwrap().unwrap(), (Shard { index: 1, count: 5 }, "JOB_COMPLETION_INDEX"));
        assert_eq!(from_env(env(&[])).unwrap(), None);
    }
}

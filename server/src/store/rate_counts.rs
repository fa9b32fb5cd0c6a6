//! Rate-limit counts shared by replicas (see [`crate::http::rate_limit`]): one
//! row per bucket, window and replica, upserted with this replica's running
//! count, and the other replicas' sums read back in the same round trip.

use super::{on_pool, Store, StoreError};

impl Store {
    /// Stores `counts` (bucket, this replica's count) for `window` as
    /// `replica` and returns the other replicas' sums per bucket in it, and how
    /// many replicas counted in this or the previous window (this one
    /// included). Rows of windows two or more minutes old are dropped on the way.
    pub async fn share_rate_counts(
        &self,
        replica: &str,
        window: i64,
        counts: &[(String, u32)],
    ) -> Result<(Vec<(String, i64)>, i64), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in counts.chunks(super::ROWS_PER_INSERT) {
                sqlx::QueryBuilder::new(
                    "insert into rate_count (bucket, window_start, replica, count) ")
                    .push_values(chunk, |mut row, (bucket, n)| {
                        row.push_bind(bucket)
                            .push_bind(window)
                            .push_bind(replica)
                            .push_bind(i64::from(*n));
                    })
                    .push(" on conflict (bucket, window_start, replica) do update set count = excluded.count")
                    .build()
                    .execute(&mut *tx)
                    .await?;
            }
            if window % 5 == 0 {
                sqlx::query("delete from rate_count where window_start < $1")
                    .bind(window - 1)
                    .execute(&mut *tx)
                    .await?;
            }
            let sums: Vec<(String, i64)> = sqlx::query_as(
                "select bucket, cast(sum(count) as bigint) from rate_count \
                 where window_start = $1 and replica <> $2 group by bucket")
                .bind(window)
                .bind(replica)
                .fetch_all(&mut *tx)
                .await?;
            let others: i64 = sqlx::query_scalar(
                "select count(distinct replica) from rate_count where window_start >= $1 and replica <> $2")
                .bind(window - 1)
                .bind(replica)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok((sums, others + 1))
        })
    }
}

//! The PostgreSQL pool, and how it works behind PgBouncer in transaction mode.
//!
//! There a server connection follows a client for one transaction only, while
//! sqlx prepares a statement in one round trip and runs it in the next (and
//! names it, with a counter of its own per connection). Outside a transaction
//! those two round trips can land on different server connections. So in
//! transaction-pooling mode ([`PgStore::transaction_pooling`], chosen by a
//! statement cache capacity of 0):
//! - a statement run on the pool runs inside a transaction of its own, as an
//!   unnamed statement, so both round trips stay on one server connection;
//! - a transaction begins by dropping the prepared statements an earlier client
//!   left on the server connection, so the names sqlx gives cannot collide.
//!
//! Otherwise the pool is used as is.

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::TryStreamExt;
use sqlx::postgres::{PgArguments, PgPool, PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Describe, Either, Error, Execute, Executor, Postgres, SqlStr, Transaction};

#[derive(Debug, Clone)]
pub(crate) struct PgStore {
    pub(crate) pool: PgPool,
    transaction_pooling: bool,
}

impl PgStore {
    pub(crate) fn new(pool: PgPool, transaction_pooling: bool) -> PgStore {
        PgStore {
            pool,
            transaction_pooling,
        }
    }

    /// A transaction (see the module header for what it does first behind a pooler).
    pub(crate) async fn begin(&self) -> Result<Transaction<'static, Postgres>, Error> {
        begin(&self.pool, self.transaction_pooling).await
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await
    }
}

async fn begin(pool: &PgPool, pooled: bool) -> Result<Transaction<'static, Postgres>, Error> {
    if pooled {
        pool.begin_with("begin; deallocate all").await
    } else {
        pool.begin().await
    }
}

/// A statement run unnamed: prepared and run within the one transaction.
struct Unnamed<E>(E);

impl<'q, E: Execute<'q, Postgres>> Execute<'q, Postgres> for Unnamed<E> {
    fn sql(self) -> SqlStr {
        self.0.sql()
    }

    fn statement(&self) -> Option<&PgStatement> {
        self.0.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, sqlx::error::BoxDynError> {
        self.0.take_arguments()
    }

    fn persistent(&self) -> bool {
        false
    }
}

impl<'p> Executor<'p> for &'_ PgStore {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, Error>>
    where
        E: 'q + Execute<'q, Postgres>,
    {
        if !self.transaction_pooling {
            return (&self.pool).fetch_many(query);
        }
        let pool = self.pool.clone();
        Box::pin(async_stream::try_stream! {
            let mut tx = begin(&pool, false).await?;
            {
                let mut rows = (&mut *tx).fetch_many(Unnamed(query));
                while let Some(row) = rows.try_next().await? {
                    yield row;
                }
            }
            tx.commit().await?;
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, Error>>
    where
        E: 'q + Execute<'q, Postgres>,
    {
        if !self.transaction_pooling {
            return (&self.pool).fetch_optional(query);
        }
        let pool = self.pool.clone();
        Box::pin(async move {
            let mut tx = begin(&pool, false).await?;
            let row = (&mut *tx).fetch_optional(Unnamed(query)).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement, Error>>
    where
        'p: 'e,
    {
        let pool = self.pool.clone();
        Box::pin(async move { (&pool).prepare_with(sql, parameters).await })
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, Result<Describe<Postgres>, Error>>
    where
        'p: 'e,
    {
        let pool = self.pool.clone();
        Box::pin(async move { (&pool).describe(sql).await })
    }
}

import type { ReactNode } from 'react';
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { Loading } from '../layout/Shell';
import { ErrorMessage } from './errors';
import { LoadMore } from './LoadMore';
import { useCommonT } from './messages';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Props<T> {
  queryKey: QueryKey;
  fetchPage(cursor: string | undefined): Promise<Page<T>>;
  /** The table's accessible name. */
  caption: string;
  columns: string[];
  /** Indexes of the columns that hold money or counts: their headers align right, over their cells. */
  numeric?: number[];
  row(item: T): ReactNode;
  empty?: string;
  /** Rows under the table (a row's detail, a form) keyed by nothing the table knows. */
  footer?: ReactNode;
}

/** A table over a cursor-paged listing: the first page, then more on "Load more". */
export function PagedTable<T>({
  queryKey,
  fetchPage,
  caption,
  columns,
  numeric,
  row,
  empty,
  footer,
}: Props<T>) {
  const t = useCommonT();
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (query.isPending) return <Loading />;
  if (query.isError && !query.data)
    return (
      <ErrorMessage error={query.error}>
        <button type="button" className="secondary" onClick={() => void query.refetch()}>
          {t('retry')}
        </button>
      </ErrorMessage>
    );
  const items = query.data.pages.flatMap((page) => page.items);
  return (
    <div className="stack">
      {items.length === 0 ? (
        <p className="muted" role="status">
          {empty ?? t('empty')}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                {columns.map((column, index) => (
                  <th key={column} scope="col" className={numeric?.includes(index) ? 'amount' : undefined}>
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{items.map(row)}</tbody>
          </table>
        </div>
      )}
      {footer}
      <LoadMore query={query} />
    </div>
  );
}

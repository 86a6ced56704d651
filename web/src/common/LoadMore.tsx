import type { UseInfiniteQueryResult } from '@tanstack/react-query';
import { ErrorMessage } from './errors';
import { useCommonT } from './messages';

/** The "Load more" button of a cursor-paged listing, with the error of a page that failed. */
export function LoadMore({ query }: { query: UseInfiniteQueryResult<unknown> }) {
  const t = useCommonT();
  return (
    <>
      {query.isFetchNextPageError && <ErrorMessage error={query.error} />}
      {query.hasNextPage && (
        <div>
          <button
            type="button"
            className="secondary"
            disabled={query.isFetchingNextPage}
            onClick={() => void query.fetchNextPage()}
          >
            {query.isFetchingNextPage ? t('loadingMore') : t('loadMore')}
          </button>
        </div>
      )}
    </>
  );
}

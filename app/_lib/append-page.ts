/**
 * `fetchMore`'s updateQuery for a paged connection (`{ nodes, pageInfo, … }` under `field`): the
 * next page's nodes after those already shown, the rest (pageInfo, totalCount) from the new page.
 */
export function appendPage<K extends string>(field: K) {
  return <T extends { [F in K]: { nodes: readonly unknown[] } }>(prev: T, { fetchMoreResult }: { fetchMoreResult: T }): T =>
    ({ ...prev, [field]: { ...fetchMoreResult[field], nodes: [...prev[field].nodes, ...fetchMoreResult[field].nodes] } }) as T;
}

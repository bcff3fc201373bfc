import { gql, type TypedDocumentNode } from '@apollo/client';
import type { SetResourceCapacityMutation, SetResourceCapacityMutationVariables } from '../../_lib/generated';

// The list itself is RESOURCE_USAGE (app/_lib/operations.ts): the page and the "waiting for" labels share one cached answer.

/** A new capacity, at once; the answer (keyed by name) updates the list in the cache. */
export const SET_RESOURCE_CAPACITY: TypedDocumentNode<SetResourceCapacityMutation, SetResourceCapacityMutationVariables> = gql`
  mutation SetResourceCapacity($name: String!, $capacity: Int!) {
    setResourceCapacity(name: $name, capacity: $capacity) { name capacity inUse waiting }
  }
`;

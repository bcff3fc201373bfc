import { gql, type TypedDocumentNode } from '@apollo/client';
import type { ExecuteSelectionMutation, ExecuteSelectionMutationVariables, UpdateJobsMutation, UpdateJobsMutationVariables } from '../../_lib/generated';

/** Plan and/or report of every selected row (explicit refs, or every row matching a filter), all or nothing. */
export const UPDATE_JOBS: TypedDocumentNode<UpdateJobsMutation, UpdateJobsMutationVariables> = gql`
  mutation UpdateJobs($select: JobSelection!, $input: JobUpdate!) { updateJobs(select: $select, input: $input) { matched updated } }
`;

/** "Execute now" on every row matching a filter, beyond the loaded page: counts, not one result per row. */
export const EXECUTE_SELECTION: TypedDocumentNode<ExecuteSelectionMutation, ExecuteSelectionMutationVariables> = gql`
  mutation ExecuteSelection($select: JobSelection!) { executeSelection(select: $select) { started alreadyRunning } }
`;

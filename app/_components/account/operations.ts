import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  ChangePasswordMutation,
  ChangePasswordMutationVariables,
  EndSessionMutation,
  EndSessionMutationVariables,
  MustChangePasswordQuery,
  MustChangePasswordQueryVariables,
  SessionsQuery,
  SessionsQueryVariables,
} from '../../_lib/generated';

/** The viewer's flag, asked by the banner on every page (the User is cached by id, so it is read once). */
export const MUST_CHANGE_PASSWORD: TypedDocumentNode<MustChangePasswordQuery, MustChangePasswordQueryVariables> = gql`
  query MustChangePassword { viewer { id mustChangePassword } }
`;

export const SESSIONS: TypedDocumentNode<SessionsQuery, SessionsQueryVariables> = gql`
  query Sessions { sessions { id createdAt lastSeenAt address userAgent current } }
`;

export const CHANGE_PASSWORD: TypedDocumentNode<ChangePasswordMutation, ChangePasswordMutationVariables> = gql`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`;

export const END_SESSION: TypedDocumentNode<EndSessionMutation, EndSessionMutationVariables> = gql`
  mutation EndSession($id: ID!) { endSession(id: $id) }
`;

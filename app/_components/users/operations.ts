import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  CreateUserMutation,
  CreateUserMutationVariables,
  DeleteUserMutation,
  DeleteUserMutationVariables,
  SetUserPasswordMutation,
  SetUserPasswordMutationVariables,
  UpdateUserMutation,
  UpdateUserMutationVariables,
  UsersQuery,
  UsersQueryVariables,
} from '../../_lib/generated';

const USER_ROW = gql`
  fragment UserRowFields on User { id email role domains allDomains disabled lastSignInAt }
`;

/** A user as the list shows him (and as updateUser answers, so the row updates in the cache). */
export type UserRow = UsersQuery['users']['nodes'][number];

/** One page of the users the viewer manages, sorted by email. */
export const USERS: TypedDocumentNode<UsersQuery, UsersQueryVariables> = gql`
  query Users($filter: UserFilter, $first: Int, $after: String) {
    users(filter: $filter, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { ...UserRowFields } }
  }
  ${USER_ROW}
`;

export const CREATE_USER: TypedDocumentNode<CreateUserMutation, CreateUserMutationVariables> = gql`
  mutation CreateUser($email: String!, $password: String!, $role: Role!, $domains: [String!]!) {
    createUser(email: $email, password: $password, role: $role, domains: $domains) { id email }
  }
`;

/** Role and domains, or disabled: the answer updates the row in the cache. */
export const UPDATE_USER: TypedDocumentNode<UpdateUserMutation, UpdateUserMutationVariables> = gql`
  mutation UpdateUser($id: ID!, $input: UserUpdate!) { updateUser(id: $id, input: $input) { ...UserRowFields } }
  ${USER_ROW}
`;

export const SET_USER_PASSWORD: TypedDocumentNode<SetUserPasswordMutation, SetUserPasswordMutationVariables> = gql`
  mutation SetUserPassword($userId: ID!, $password: String!) { setPassword(userId: $userId, password: $password) }
`;

export const DELETE_USER: TypedDocumentNode<DeleteUserMutation, DeleteUserMutationVariables> = gql`
  mutation DeleteUser($id: ID!) { deleteUser(id: $id) }
`;

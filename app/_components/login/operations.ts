import { gql, type TypedDocumentNode } from '@apollo/client';
import type { SignInMethodsQuery, SignInMethodsQueryVariables } from '../../_lib/generated';

/** Asked before anyone is signed in: which ways the sign-in page offers. */
export const SIGN_IN_METHODS: TypedDocumentNode<SignInMethodsQuery, SignInMethodsQueryVariables> = gql`
  query SignInMethods { signInMethods { password sso } }
`;

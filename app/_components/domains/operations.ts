import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  CreateDomainsMutation,
  CreateDomainsMutationVariables,
  DeleteDomainMutation,
  DeleteDomainMutationVariables,
  DomainImpactQuery,
  DomainImpactQueryVariables,
  DomainsPageQuery,
  DomainsPageQueryVariables,
} from '../../_lib/generated';

/** One page of the viewer's domains, searched on the server (there can be 20,000). */
export const DOMAINS_PAGE: TypedDocumentNode<DomainsPageQuery, DomainsPageQueryVariables> = gql`
  query DomainsPage($text: String, $first: Int, $after: String) {
    domainList(text: $text, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { name createdAt } }
  }
`;

/** Only names and whether each is new: a paste of 10,000 names answers 10,000 of these. */
export const CREATE_DOMAINS: TypedDocumentNode<CreateDomainsMutation, CreateDomainsMutationVariables> = gql`
  mutation CreateDomains($names: [String!]!) { createDomains(names: $names) { name created } }
`;

export const DOMAIN_IMPACT: TypedDocumentNode<DomainImpactQuery, DomainImpactQueryVariables> = gql`
  query DomainImpact($name: String!) { domainImpact(name: $name) { rows executions domainAdmins } }
`;

export const DELETE_DOMAIN: TypedDocumentNode<DeleteDomainMutation, DeleteDomainMutationVariables> = gql`
  mutation DeleteDomain($name: String!) { deleteDomain(name: $name) }
`;

import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  ChannelsQuery, ChannelsQueryVariables, CreateChannelMutation, CreateChannelMutationVariables, DeleteChannelMutation, DeleteChannelMutationVariables,
  RetryAlertDeliveryMutation, RetryAlertDeliveryMutationVariables, TestChannelMutation, TestChannelMutationVariables,
  UpdateChannelMutation, UpdateChannelMutationVariables,
} from '../../_lib/generated';

const CHANNEL_FIELDS = gql`
  fragment ChannelFields on Channel {
    id name kind target events domain enabled hasSecret
    deliveries(first: 20) {
      id event status attempts lastError at deliveredAt nextAttemptAt
      alert { id kind message }
    }
  }
`;

export const CHANNELS: TypedDocumentNode<ChannelsQuery, ChannelsQueryVariables> = gql`
  query Channels { channels { ...ChannelFields } }
  ${CHANNEL_FIELDS}
`;

export const CREATE_CHANNEL: TypedDocumentNode<CreateChannelMutation, CreateChannelMutationVariables> = gql`
  mutation CreateChannel($input: ChannelInput!) { createChannel(input: $input) { ...ChannelFields } }
  ${CHANNEL_FIELDS}
`;

export const UPDATE_CHANNEL: TypedDocumentNode<UpdateChannelMutation, UpdateChannelMutationVariables> = gql`
  mutation UpdateChannel($id: ID!, $input: ChannelInput!) { updateChannel(id: $id, input: $input) { ...ChannelFields } }
  ${CHANNEL_FIELDS}
`;

export const DELETE_CHANNEL: TypedDocumentNode<DeleteChannelMutation, DeleteChannelMutationVariables> = gql`
  mutation DeleteChannel($id: ID!) { deleteChannel(id: $id) }
`;

export const TEST_CHANNEL: TypedDocumentNode<TestChannelMutation, TestChannelMutationVariables> = gql`
  mutation TestChannel($id: ID!) { testChannel(id: $id) }
`;

export const RETRY_ALERT_DELIVERY: TypedDocumentNode<RetryAlertDeliveryMutation, RetryAlertDeliveryMutationVariables> = gql`
  mutation RetryAlertDelivery($id: ID!) { retryAlertDelivery(id: $id) { id status attempts lastError nextAttemptAt } }
`;

'use client';

import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { appendPage } from '../../_lib/append-page';
import { errorMessage } from '../../_lib/errors';
import { parseStatuses, toJobFilter, withParams } from '../../_lib/jobs-url';
import { useFormat } from '../../_lib/use-format';
import { LoadOlder } from '../LoadOlder';
import { operations } from './operations-index';
import { UpcomingChart } from './UpcomingChart';
import { UpcomingFilters } from './UpcomingFilters';
import { UpcomingHour, type Occurrence } from './UpcomingTimeline';
import { groupByHour, minuteStart, parseWindow } from './timeline';

import type { ReactNode } from 'react';
import { PasswordBanner } from '../_components/account/PasswordBanner';
import { ConsoleShell } from '../_components/ConsoleShell';
import { SchedulingBanner } from '../_components/scheduling/SchedulingBanner';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <ConsoleShell>
      <PasswordBanner />
      <SchedulingBanner />
      {children}
    </ConsoleShell>
  );
}

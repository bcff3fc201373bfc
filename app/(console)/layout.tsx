import type { ReactNode } from 'react';
import { PasswordBanner } from '../_components/account/PasswordBanner';
import { ConsoleShell } from '../_components/ConsoleShell';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <ConsoleShell>
      <PasswordBanner />
      {children}
    </ConsoleShell>
  );
}

/** The app's tabs. A feature adds itself here with a lazily loaded view, so each tab is its own chunk. */
import { type LazyExoticComponent, lazy } from 'react';

export interface ShellTab {
  id: string;
  title: string;
  View: LazyExoticComponent<() => React.JSX.Element>;
}

export const tabs: ShellTab[] = [
  {
    id: 'classify',
    title: 'Classify',
    View: lazy(() => import('../classify/ClassifyView').then((module) => ({ default: module.ClassifyView }))),
  },
  {
    id: 'annotate',
    title: 'Annotate',
    View: lazy(() => import('../annotate/AnnotateView').then((module) => ({ default: module.AnnotateView }))),
  },
  {
    id: 'review',
    title: 'Compare reviewers',
    View: lazy(() => import('../review/ReviewView').then((module) => ({ default: module.ReviewView }))),
  },
];
